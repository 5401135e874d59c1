/** Every command, in the order `herald --help` lists them. */
import type { Command } from '../context.js';
import { dlqCommands } from './dlq.js';
import { endpointActivityCommands } from './endpoint-activity.js';
import { endpointCommands } from './endpoints.js';
import { eventTypeCommands } from './event-types.js';
import { eventCommands } from './events.js';
import { keyCommands } from './keys.js';
import { metricsCommands } from './metrics.js';
import { portalCommands } from './portal.js';
import { replayCommands } from './replay.js';

const COMMANDS: readonly Command[] = [
  ...eventCommands,
  ...endpointCommands,
  ...endpointActivityCommands,
  ...eventTypeCommands,
  ...dlqCommands,
  ...replayCommands,
  ...metricsCommands,
  ...keyCommands,
  ...portalCommands,
];

export { COMMANDS };
