import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LENGTH = 24; // 24 base62 characters: about 142 random bits

/** `file_` + 24 crypto-random base62 characters: unguessable, URL- and path-safe. */
export function newFileId(): string {
  let id = 'file_';
  for (let i = 0; i < LENGTH; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

const FILE_ID = /^file_[A-Za-z0-9]+$/;

/** Whether `value` has the shape of a file id: anything else names no file, and needs no lookup. */
export function isFileId(value: string): boolean {
  return FILE_ID.test(value);
}
