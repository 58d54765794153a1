import { inject } from 'vitest';
import './engine-setup.js';

// The daemons that global set-up found or started, for the providers in this
// worker and for the overlab processes the tests spawn.
const dockerHost = inject('dockerHost');
if (dockerHost) process.env.DOCKER_HOST = dockerHost;
process.env.VAGRANT_HOME = inject('vagrantHome');
const vagrantNetns = inject('vagrantNetns');
if (vagrantNetns) process.env.OVERLAB_VAGRANT_NETNS = vagrantNetns;
// The tests' VMs run under QEMU's software emulation: KVM on this kind of
// machine cannot boot a stock guest kernel.
process.env.OVERLAB_LIBVIRT_DRIVER ??= 'qemu';
