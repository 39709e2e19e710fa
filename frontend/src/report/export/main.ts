// The exported report file's entry: it reads the report the Go binary wrote
// into the page (a JSON script element) and shows it with the screen's own
// components, read-only.
import '../../app.css';
import { mount } from 'svelte';
import ReportDocument from './ReportDocument.svelte';
import type { ReportBundle } from '../source';

const target = document.getElementById('app')!;
try {
  const bundle = JSON.parse(document.getElementById('concord-report')?.textContent ?? '') as ReportBundle;
  target.replaceChildren();
  mount(ReportDocument, { target, props: { bundle } });
} catch (e) {
  target.textContent = `This file holds no readable report: ${e instanceof Error ? e.message : String(e)}`;
}
