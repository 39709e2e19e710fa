import '../../app.css';
import { mount } from 'svelte';
import MarkdownSamples from './MarkdownSamples.svelte';

mount(MarkdownSamples, { target: document.getElementById('app')! });
