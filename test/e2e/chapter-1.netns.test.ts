import { describe } from 'vitest';
import { unmetRequirement } from '../../src/course/modes.js';
import { chapterEndToEnd } from './chapter-e2e.js';
import { missingPrerequisite } from './prerequisites.js';

const skipReason = await missingPrerequisite();
// Docker 23 and later have no classic mode; on them the swarm run still counts.
const classicUnsupported = await unmetRequirement({ name: 'classic', topology: 'overlay-classic', description: '', requires: 'docker-cluster-store' });
if (classicUnsupported) console.warn(`skipping chapter 1 in classic mode: ${classicUnsupported}`);

describe.skipIf(skipReason !== undefined || classicUnsupported !== undefined)('chapter 1 in classic mode', () => {
  chapterEndToEnd('chapter-1', 'classic', 'e2e-chapter1-classic');
});

describe.skipIf(skipReason !== undefined)('chapter 1 in swarm mode', () => {
  chapterEndToEnd('chapter-1', 'swarm', 'e2e-chapter1-swarm');
});
