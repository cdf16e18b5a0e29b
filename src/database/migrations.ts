import { Init1795815169926 } from '../../migrations/1795815169926-Init';

/** Every migration in `migrations/`, in order. A new migration is added here when generated. */
export const MIGRATIONS: Function[] = [Init1795815169926];
