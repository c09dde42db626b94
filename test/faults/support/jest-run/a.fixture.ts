import { waitUntilKilled } from './wait-until-killed';

it('runs until its Jest is killed', waitUntilKilled, 120_000);
