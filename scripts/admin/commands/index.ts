import type { Command } from './command';
import { keyCommands } from './key';
import { memberCommands } from './member';
import { orgCommands } from './org';
import { webhookCommands } from './webhook';

export const COMMANDS: Command[] = [...orgCommands, ...memberCommands, ...keyCommands, ...webhookCommands];

export const GROUPS = [...new Set(COMMANDS.map((c) => c.group))];
