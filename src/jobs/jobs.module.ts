import { Global, Module } from '@nestjs/common';
import { JobQueueRepository } from './job-queue.repository';
import { JobQueue } from './job-queue.service';

@Global()
@Module({ providers: [JobQueue, JobQueueRepository], exports: [JobQueue, JobQueueRepository] })
export class JobsModule {}
