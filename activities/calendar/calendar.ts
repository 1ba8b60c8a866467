import { isClosedDay } from '../../domain/intake/business-days';
import { jstDate } from '../../domain/jst';
import { isPrintDay, type YearEndClosure } from '../../domain/deadlines';

/** Calendar facts come from a dataset that changes yearly, so workflows ask an activity instead of bundling it. */
export function createCalendarActivities() {
  return {
    /** `on` (a JST date) stands in for today when a caller pins the day, as tests do; absent = today in Japan. */
    async isClosedDayToday(input?: { on?: string; closure?: YearEndClosure }): Promise<boolean> {
      const day = input?.on ?? jstDate(new Date());
      // With a print closure given (DOCS-1, PRINT_YEAR_END_CLOSURE) the print calendar answers; else the city's closed days.
      return input?.closure ? !isPrintDay(day, input.closure) : isClosedDay(day);
    },
  };
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
