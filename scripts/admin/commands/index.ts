import type { Command } from './command';
import { fileCommands } from './file';
import { keyCommands } from './key';
import { memberCommands } from './member';
import { orgCommands } from './org';
import { webhookCommands } from './webhook';

export const COMMANDS: Command[] = [...orgCommands, ...memberCommands, ...keyCommands, ...fileCommands, ...webhookCommands];

export const GROUPS = [...new Set(COMMANDS.map((c) => c.group))];
