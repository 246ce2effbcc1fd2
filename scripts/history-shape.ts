/** One cycle as its history shows it: from the timer firing that started it to the timer it set for the next. */
export interface CycleShape {
  events: number;
  /** activity tasks the server dispatched */
  activities: number;
  /** local activities (a marker each), run by the worker inside the workflow task */
  localActivities: number;
}

type EventType = number | string | null | undefined;

// the event types counted here by their enum values (temporal.api.enums.v1.EventType), so a history fetched by the
// SDK (numbers) reads like one the CLI wrote (names)
const EVENT_TYPE_NAMES: Record<number, string> = {
  10: 'ACTIVITY_TASK_SCHEDULED',
  17: 'TIMER_STARTED',
  18: 'TIMER_FIRED',
  25: 'MARKER_RECORDED',
};

const name = (type: EventType): string =>
  (typeof type === 'number' ? (EVENT_TYPE_NAMES[type] ?? String(type)) : String(type ?? '')).replace(
    /^EVENT_TYPE_/,
    '',
  );

/**
 * The history cost of each cycle in a tracking workflow's history: the first (from the start to the first
 * `TIMER_STARTED`, registration included) and every steady-state one (from a `TIMER_FIRED` to the next
 * `TIMER_STARTED`, inclusive). A timer cancelled by a message (a patch, a pause) does not start a cycle, so only fired
 * timers open one.
 */
export function cycleShapes(
  events: readonly { eventType?: EventType; markerRecordedEventAttributes?: { markerName?: string | null } | null }[],
): {
  first: CycleShape | null;
  steady: CycleShape[];
} {
  // a patch marker (`patched()`, once per run) is no local activity
  const types = events.map((e) =>
    e.markerRecordedEventAttributes?.markerName === 'core_patch' ? 'PATCH_MARKER' : name(e.eventType),
  );
  const shapeOf = (from: number, to: number): CycleShape => {
    const span = types.slice(from, to + 1);
    return {
      events: span.length,
      activities: span.filter((t) => t === 'ACTIVITY_TASK_SCHEDULED').length,
      localActivities: span.filter((t) => t === 'MARKER_RECORDED').length,
    };
  };
  const firstTimer = types.indexOf('TIMER_STARTED');
  const steady: CycleShape[] = [];
  types.forEach((type, i) => {
    if (type !== 'TIMER_FIRED') return;
    const end = types.indexOf('TIMER_STARTED', i);
    if (end !== -1) steady.push(shapeOf(i, end));
  });
  return { first: firstTimer === -1 ? null : shapeOf(0, firstTimer), steady };
}
