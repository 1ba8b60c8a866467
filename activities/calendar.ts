import { isClosedDay } from '../domain/intake/business-days';
import { jstDate } from '../domain/jst';

/** Calendar facts come from a dataset that changes yearly, so workflows ask an activity instead of bundling it. */
export function createCalendarActivities() {
  return {
    async isClosedDayToday(): Promise<boolean> {
      return isClosedDay(jstDate(new Date()));
    },
  };
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
