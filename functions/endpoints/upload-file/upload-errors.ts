import { ApiError } from '../../errors/api-error';

export const invalidMultipart = (message: string) => new ApiError(400, 'INVALID_MULTIPART', message);

/** The body is over the cap: said as soon as its length shows it, naming the way for larger files. */
export const directUploadTooLarge = (maxBodyBytes: number) =>
  new ApiError(
    413,
    'FILE_TOO_LARGE',
    `A direct upload's body must be at most ${maxBodyBytes} bytes; send larger files with POST …/files/upload-url (a resumable session)`,
    { max_file_size: maxBodyBytes },
  );
