import { describe, it, expect } from 'vitest';
import type { HostVars } from '../../src/course/chapter.js';
import type { Topology } from '../../src/lab/topology.js';
import { TemplateError, hostVariables, resolveTemplates } from '../../src/checks/template.js';

const TOPOLOGY: Topology = {
  name: 'overlay',
  description: 'two Docker hosts on one underlay segment',
  underlay: { subnet: '10.0.10.0/24', interface: 'eth0' },
  hosts: [
    { name: 'node1', address: '10.0.10.30/24', services: [{ name: 'docker', args: [] }] },
    { name: 'node2', address: '10.0.10.31/24', services: [{ name: 'docker', args: [] }] },
  ],
};

// The host variables of chapter-2's front matter.
const CHAPTER_VARS: Record<string, HostVars> = {
  node1: { container_ip: '192.168.0.2', container_mac: '02:42:c0:a8:00:02', peer: 'node2' },
  node2: { container_ip: '192.168.0.3', container_mac: '02:42:c0:a8:00:03', peer: 'node1' },
};

const VARS = hostVariables(TOPOLOGY, CHAPTER_VARS);

describe('hostVariables', () => {
  it('merges topology and chapter variables', () => {
    expect(VARS.node1).toEqual({
      host: 'node1',
      underlay_ip: '10.0.10.30',
      container_ip: '192.168.0.2',
      container_mac: '02:42:c0:a8:00:02',
      peer: 'node2',
    });
  });

  it('strips prefix length from underlay_ip', () => {
    expect(VARS.node2?.underlay_ip).toBe('10.0.10.31');
  });

  it('defines host without chapter variables', () => {
    const vars = hostVariables(TOPOLOGY, { node1: CHAPTER_VARS.node1 ?? {} });

    expect(vars.node2).toEqual({ host: 'node2', underlay_ip: '10.0.10.31' });
  });

  it('skips hosts outside the topology', () => {
    const vars = hostVariables(TOPOLOGY, { ...CHAPTER_VARS, node3: { container_ip: '192.168.0.4' } });

    expect(Object.keys(vars)).toEqual(['node1', 'node2']);
  });
});

describe('resolveTemplates', () => {
  it('resolves own variable', () => {
    expect(resolveTemplates('${container_ip}/24', 'node1', VARS)).toBe('192.168.0.2/24');
  });

  it('resolves peer variable', () => {
    expect(resolveTemplates('${peer.container_mac}', 'node1', VARS)).toBe('02:42:c0:a8:00:03');
  });

  it('resolves peer underlay_ip', () => {
    expect(resolveTemplates('${peer.underlay_ip}', 'node2', VARS)).toBe('10.0.10.30');
  });

  it('resolves several references in one string', () => {
    const hint = 'ip netns exec overns ip neighbor add ${peer.container_ip} lladdr ${peer.container_mac} dev vxlan1';

    expect(resolveTemplates(hint, 'node1', VARS)).toBe('ip netns exec overns ip neighbor add 192.168.0.3 lladdr 02:42:c0:a8:00:03 dev vxlan1');
  });

  it('resolves nested arrays and objects', () => {
    const body = {
      capture: 'eth0',
      traffic: { ping: '${peer.container_ip}', from: 'container demo', count: 3 },
      expect: { vni: 42, between: ['${underlay_ip}', '${peer.underlay_ip}'], inner: 'ICMP echo' },
    };

    expect(resolveTemplates(body, 'node1', VARS)).toEqual({
      capture: 'eth0',
      traffic: { ping: '192.168.0.3', from: 'container demo', count: 3 },
      expect: { vni: 42, between: ['10.0.10.30', '10.0.10.31'], inner: 'ICMP echo' },
    });
  });

  it('keeps non-string values', () => {
    const body = { up: true, mtu: 1450, master: null, ports: [4789, false] };

    expect(resolveTemplates(body, 'node1', VARS)).toEqual(body);
  });

  it('leaves input unchanged', () => {
    const body = { neighbour: '${peer.container_ip}', expect: { lladdr: '${peer.container_mac}' } };

    resolveTemplates(body, 'node1', VARS);

    expect(body).toEqual({ neighbour: '${peer.container_ip}', expect: { lladdr: '${peer.container_mac}' } });
  });

  it('leaves shell expansions alone', () => {
    const script = 'ctn_ns=${ctn_ns_path##*/}; docker inspect --format="{{ .NetworkSettings.SandboxKey}}" demo; echo $ctn_ns';

    expect(resolveTemplates(script, 'node1', VARS)).toBe(script);
  });

  it('rejects undefined variable', () => {
    expect(() => resolveTemplates('vni ${vni}', 'node1', VARS)).toThrow(TemplateError);
    expect(() => resolveTemplates('vni ${vni}', 'node1', VARS)).toThrow('${vni} is not defined for node1');
  });

  it('rejects undefined host reference', () => {
    expect(() => resolveTemplates('${other.container_ip}', 'node1', VARS)).toThrow('${other} is not defined for node1');
  });

  it('rejects peer without the variable', () => {
    const vars = hostVariables(TOPOLOGY, { node1: CHAPTER_VARS.node1 ?? {} });

    expect(() => resolveTemplates('${peer.container_ip}', 'node1', vars)).toThrow(TemplateError);
    expect(() => resolveTemplates('${peer.container_ip}', 'node1', vars)).toThrow('${peer.container_ip}: node2 has no container_ip');
  });

  it('rejects host outside the topology', () => {
    expect(() => resolveTemplates('${container_ip}', 'node3', VARS)).toThrow('${container_ip} is not defined for node3');
  });
});
