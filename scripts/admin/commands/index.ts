import type { Command } from './command';
import { keyCommands } from './key';
import { memberCommands } from './member';
import { orgCommands } from './org';

export const COMMANDS: Command[] = [...orgCommands, ...memberCommands, ...keyCommands];

export const GROUPS = [...new Set(COMMANDS.map((c) => c.group))];
