import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { traceStartup } from './lib/trace';
import { prefetchInfo } from './home/first-info';

async function start() {
  // Under `npm run dev` without the Go backend, a mock stands in for
  // window.go. import.meta.env.DEV is false in `vite build`, so the mock is
  // not part of the production bundle.
  if (import.meta.env.DEV && !window.go?.app?.App) {
    const { installMock } = await import('./lib/dev/mock');
    installMock();
  }
  traceStartup();
  prefetchInfo();
  mount(App, { target: document.getElementById('app')! });
}

void start();
