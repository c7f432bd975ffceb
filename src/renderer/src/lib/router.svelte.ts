// The current hash route as reactive state; pages navigate by assigning location.hash (links are plain <a href="#/...">).
import { parseHash, type Route } from './routes';

class Router {
  route = $state<Route>(parseHash(typeof window === 'undefined' ? '' : window.location.hash));

  start(): () => void {
    const update = () => {
      this.route = parseHash(window.location.hash);
    };
    window.addEventListener('hashchange', update);
    update();
    return () => window.removeEventListener('hashchange', update);
  }

  go(hash: string): void {
    if (window.location.hash === hash) this.route = parseHash(hash);
    else window.location.hash = hash;
  }
}

export const router = new Router();
