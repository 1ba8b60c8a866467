import { actorOf, type Principal } from '../auth';

/** Who handles a 個人番号, and from which terminal (the console forwards the browser's; MYNUM-2 judges that one). */
export const myNumberHandler = (p: Principal, ip: string) => ({ actor: actorOf(p), role: p.role, source: p.consoleTerminal ? 'console' : 'api', terminal: p.consoleTerminal ?? ip });
