import { inject } from 'vitest';
import './engine-setup.js';

// The engine that global set-up found or started, for the container
// provider in this worker and for the overlab processes the tests spawn.
const dockerHost = inject('dockerHost');
if (dockerHost) process.env.DOCKER_HOST = dockerHost;
