/** Where dotops keeps its state (SPEC §4): all paths absolute. */
export interface StatePaths {
  dir: string;
  store: string;
  generations: string;
  /** Symlink to generations/<n>: switched by one rename. */
  current: string;
  journal: string;
  lock: string;
}

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    store: `${dir}/store`,
    generations: `${dir}/generations`,
    current: `${dir}/current`,
    journal: `${dir}/journal`,
    lock: `${dir}/lock`,
  };
}
