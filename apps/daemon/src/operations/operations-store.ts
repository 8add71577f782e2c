/** The operational modes the agent runtime can be in. */
export const OPERATIONAL_STATES = ['normal', 'degraded', 'maintenance', 'halted'] as const;
export type OperationalState = (typeof OPERATIONAL_STATES)[number];

/** Which transitions an operator or agent may request. Halting is possible from anywhere. */
const ALLOWED_TRANSITIONS: Readonly<Record<OperationalState, readonly OperationalState[]>> = {
  normal: ['degraded', 'maintenance', 'halted'],
  degraded: ['normal', 'maintenance', 'halted'],
  maintenance: ['normal', 'halted'],
  halted: ['maintenance'],
};

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** A ticket in the demo's tracker. */
export interface Ticket {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly priority: TicketPriority;
  readonly status: 'open' | 'closed';
  readonly createdAt: string;
}

/** A state transition, once applied. */
export interface StateTransition {
  readonly id: string;
  readonly from: OperationalState;
  readonly to: OperationalState;
  readonly at: string;
}

/** Thrown when a transition is not allowed from the current state. */
export class InvalidStateTransition extends Error {
  constructor(from: OperationalState, to: OperationalState) {
    super(`cannot go from ${from} to ${to}`);
    this.name = 'InvalidStateTransition';
  }
}

/** The state the tools read and change: kept in memory, as the demo needs nothing more. */
export interface OperationsStore {
  state(): { readonly state: OperationalState; readonly since: string };
  listTickets(filter: { readonly status?: 'open' | 'closed' | undefined; readonly limit: number }): readonly Ticket[];
  createTicket(input: { readonly title: string; readonly body: string; readonly priority: TicketPriority }): Ticket;
  requestTransition(to: OperationalState): StateTransition;
}

/** Create a store seeded with a few open tickets, in state `normal`. */
export function createOperationsStore(clock: () => number = Date.now): OperationsStore {
  const now = (): string => new Date(clock()).toISOString();
  let current: { state: OperationalState; since: string } = { state: 'normal', since: now() };
  const tickets: Ticket[] = [
    {
      id: 'tkt-0001',
      title: 'Disk alarms on sea-2',
      body: 'Alarm fired twice overnight.',
      priority: 'high',
      status: 'open',
      createdAt: now(),
    },
    { id: 'tkt-0002', title: 'Rotate webhook secret', body: 'Quarterly rotation.', priority: 'normal', status: 'open', createdAt: now() },
    { id: 'tkt-0003', title: 'Old runbook link', body: 'Fixed in the wiki.', priority: 'low', status: 'closed', createdAt: now() },
  ];
  let transitions = 0;
  return {
    state: () => ({ ...current }),
    listTickets: ({ status, limit }) =>
      tickets
        .filter((ticket) => status === undefined || ticket.status === status)
        .slice(-limit)
        .reverse(),
    createTicket(input) {
      const ticket: Ticket = { id: `tkt-${String(tickets.length + 1).padStart(4, '0')}`, ...input, status: 'open', createdAt: now() };
      tickets.push(ticket);
      return ticket;
    },
    requestTransition(to) {
      const from = current.state;
      if (!ALLOWED_TRANSITIONS[from].includes(to)) throw new InvalidStateTransition(from, to);
      transitions += 1;
      current = { state: to, since: now() };
      return { id: `trn-${String(transitions).padStart(4, '0')}`, from, to, at: current.since };
    },
  };
}
