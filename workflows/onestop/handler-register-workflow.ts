import { proxyActivities } from '@temporalio/workflow';
import type { HandlerRegisterActivities } from '../../activities/onestop/handler-register';
import { step } from '../step-options';

// Chromium prints the register: allow a cold start, retry a crashed browser.
const { printHandlerRegister } = proxyActivities<HandlerRegisterActivities>(step('5 minutes', { backoff: ['5 seconds', '1 minute'] }));

export interface HandlerRegisterInput {
  reportId: string;
  /** YYYY-MM-DD (JST): the day whose clearances the register shows. */
  asOf: string;
  requestedBy: string;
}

/** MYNUM-1: prints the 取扱者名簿 for the city (on demand, `POST /mynumber/handlers/register-report`). */
export async function handlerRegisterReportWorkflow(input: HandlerRegisterInput): Promise<{ reportId: string; handlers: number; sha256: string }> {
  return printHandlerRegister(input);
}
