import { isClosedDay } from '../../domain/intake/business-days';
import { jstDate } from '../../domain/jst';

/** Calendar facts come from a dataset that changes yearly, so workflows ask an activity instead of bundling it. */
export function createCalendarActivities() {
  return {
    /** `on` (a JST date) stands in for today when a caller pins the day, as tests do; absent = today in Japan. */
    async isClosedDayToday(input?: { on?: string }): Promise<boolean> {
      return isClosedDay(input?.on ?? jstDate(new Date()));
    },
  };
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
