// Renderer entry: global styles and the colour theme, then the Svelte app.
import { mount } from 'svelte';
import './styles/app.css';
import App from './App.svelte';
import { theme } from './lib/theme.svelte';

theme.start();
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
