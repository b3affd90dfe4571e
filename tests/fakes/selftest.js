#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Self-test of the fake cloud: drives the fake EC2 endpoint with the OFFICIAL
// @aws-sdk/client-ec2 (maxAttempts 1) to prove the SDK parses every response shape the fake
// serves, errors included; checks the ClearML API, the control API and the agent simulation.
// Prints one TAP-like line per check and "N passed, N failed"; exits non-zero on failure.
'use strict';

// The SDK warns that future versions need node >= 22; the versions are pinned, so silence it.
const emitWarning = process.emitWarning;
process.emitWarning = (w, ...rest) => {
  if (String(w && w.message ? w.message : w).includes('NodeVersionSupportWarning') || rest.includes('NodeVersionSupportWarning')) return;
  emitWarning.call(process, w, ...rest);
};

try {
  require.resolve('@aws-sdk/client-ec2');
} catch (e) {
  console.log(`not ok - the fakes' dependencies are not installed: run 'npm ci --no-audit --no-fund' in ${__dirname}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const {
  EC2Client,
  RunInstancesCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
  DescribeSpotPriceHistoryCommand,
  GetConsoleOutputCommand,
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  paginateDescribeInstances,
} = require('@aws-sdk/client-ec2');
const { SignatureV4 } = require('@smithy/signature-v4');
const { HttpRequest } = require('@smithy/protocol-http');
const { Sha256 } = require('./lib/util');

const AK = 'AKIDEXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AMI = 'ami-0123456789abcdef0';

let passed = 0;
let failed = 0;

function ok (cond, name, detail) {
  if (cond) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${detail !== undefined ? ' # ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : ''}`);
  }
  return cond;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startFake () {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fake-cloud.js'), '--quiet'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, urls: JSON.parse(buf.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`fake-cloud exited with ${code} before it was ready`)));
  });
}

async function main () {
  const { child, urls } = await startFake();
  const ctl = async (method, p, body) => {
    const r = await fetch(urls.ec2 + p, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = await r.json();
    if (r.status !== 200) throw new Error(`control ${p}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  const state = (omit) => ctl('GET', '/_fake/state' + (omit ? '?omit=' + omit : ''));
  const fault = (f) => ctl('POST', '/_fake/fault', { service: 'ec2', count: 1, ...f });

  const makeClient = (extra = {}) => new EC2Client({
    region: 'us-east-1',
    endpoint: urls.ec2,
    credentials: { accessKeyId: AK, secretAccessKey: SK },
    maxAttempts: 1,
    ...extra,
  });
  const ec2 = makeClient();

  const expectError = async (name, promise, code, status) => {
    try {
      await promise;
      ok(false, name, 'no error');
      return null;
    } catch (e) {
      const good = e.name === code && (status === undefined || (e.$metadata && e.$metadata.httpStatusCode === status));
      ok(good, `${name}: ${code}${status ? ' ' + status : ''}`, { name: e.name, status: e.$metadata && e.$metadata.httpStatusCode, message: e.message });
      return e;
    }
  };

  try {
    await ctl('POST', '/_fake/config', { boot_delay_s: 0.3, shutdown_delay_s: 0.2, register_delay_s: 0.2, report_interval_s: 0.2 });

    // ---------------------------------------------------------------- RunInstances on-demand
    const special = 'a&b<c>"d\'e ü';
    const userData = '#!/bin/bash\necho "hello from user-data"\nexport CLEARML_WORKER_ID="dyn:gpu:t3.micro:$INSTANCE_ID"\nclearml-agent daemon --queue \'gpu\'\n';
    const runParams = {
      ImageId: AMI,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      KeyName: 'ml-key',
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      SubnetId: 'subnet-0aaa',
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 100, VolumeType: 'gp3', DeleteOnTermination: true } }],
      IamInstanceProfile: { Name: 'scaler-role' },
      UserData: Buffer.from(userData).toString('base64'),
      MetadataOptions: { HttpTokens: 'required' },
      InstanceInitiatedShutdownBehavior: 'terminate',
      ClientToken: 'token-ondemand-1',
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'ec2-autoscaler:instance', Value: 'cfg-1' }, { Key: 'ec2-autoscaler:resource', Value: 'gpu' }, { Key: 'Name', Value: special }] },
        { ResourceType: 'volume', Tags: [{ Key: 'ec2-autoscaler:instance', Value: 'cfg-1' }] },
      ],
    };
    const run1 = await ec2.send(new RunInstancesCommand(runParams));
    const i1 = run1.Instances && run1.Instances[0];
    ok(i1 && /^i-[0-9a-f]{17}$/.test(i1.InstanceId), 'RunInstances on-demand: SDK parses the reservation and instance id', i1 && i1.InstanceId);
    ok(i1 && i1.State.Name === 'pending' && i1.State.Code === 0, 'RunInstances: state pending/0');
    ok(/^r-[0-9a-f]{17}$/.test(run1.ReservationId) && run1.OwnerId === '123456789012', 'RunInstances: reservation id and owner');
    ok(i1 && i1.Placement.AvailabilityZone.startsWith('us-east-1') && i1.SubnetId === 'subnet-0aaa', 'RunInstances: placement zone from the subnet');
    ok(i1 && i1.ClientToken === 'token-ondemand-1' && i1.InstanceType === 't3.micro' && i1.ImageId === AMI && i1.KeyName === 'ml-key', 'RunInstances: echo of token, type, image, key');
    ok(i1 && i1.LaunchTime instanceof Date && Math.abs(i1.LaunchTime - Date.now()) < 10000, 'RunInstances: launchTime parses as a Date');
    ok(i1 && i1.Tags.find((t) => t.Key === 'Name').Value === special, 'RunInstances: tag with XML-special characters round-trips', i1 && i1.Tags);
    ok(i1 && i1.MetadataOptions.HttpTokens === 'required' && i1.IamInstanceProfile.Arn.endsWith('instance-profile/scaler-role'), 'RunInstances: metadata options and IAM profile');
    ok(i1 && i1.InstanceLifecycle === undefined, 'RunInstances on-demand: no instanceLifecycle');
    let st = await state();
    const s1 = st.instances.find((x) => x.instance_id === i1.InstanceId);
    ok(s1 && s1.user_data === userData && s1.volume_tags['ec2-autoscaler:instance'] === 'cfg-1' && s1.block_device_mappings[0].ebs.VolumeSize === '100', 'state: decoded user-data, volume tags and block devices kept');
    ok(s1 && s1.worker_id === `dyn:gpu:t3.micro:${i1.InstanceId}` && s1.queue_name === 'gpu', 'state: worker id template and queue parsed from user-data', s1 && [s1.worker_id, s1.queue_name]);

    // ---------------------------------------------------------------- idempotency
    const again = await ec2.send(new RunInstancesCommand(runParams));
    st = await state();
    ok(again.ReservationId === run1.ReservationId && again.Instances[0].InstanceId === i1.InstanceId && st.instances.length === 1, 'ClientToken: same token + same params -> same reservation, no new instance');
    ok(st.launches['token-ondemand-1'] && st.launches['token-ondemand-1'].calls === 2, 'state: launches per client token counts calls');
    await expectError('ClientToken: same token + different params', ec2.send(new RunInstancesCommand({ ...runParams, InstanceType: 't3.small' })), 'IdempotentParameterMismatch', 400);

    // ---------------------------------------------------------------- RunInstances spot
    const run2 = await ec2.send(new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: 'g4dn.xlarge',
      MinCount: 2,
      MaxCount: 2,
      Placement: { AvailabilityZone: 'us-east-1b' },
      InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'ec2-autoscaler:instance', Value: 'cfg-1' }, { Key: 'ec2-autoscaler:resource', Value: 'spotres' }] }],
      ClientToken: 'token-spot-1',
    }));
    ok(run2.Instances.length === 2 && run2.Instances.every((i) => i.InstanceLifecycle === 'spot' && /^sir-/.test(i.SpotInstanceRequestId) && i.Placement.AvailabilityZone === 'us-east-1b'),
      'RunInstances spot (MaxCount 2): instanceLifecycle=spot, spotInstanceRequestId, zone');

    // ---------------------------------------------------------------- DescribeInstances
    await sleep(450);
    const d1 = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:ec2-autoscaler:instance', Values: ['cfg-1'] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
    const all1 = d1.Reservations.flatMap((r) => r.Instances);
    ok(d1.Reservations.length === 2 && all1.length === 3, 'DescribeInstances: several reservations, filter tag: + instance-state-name', { res: d1.Reservations.length, n: all1.length });
    ok(all1.every((i) => i.State.Name === 'running' && i.State.Code === 16), 'DescribeInstances: pending -> running after boot_delay_s');
    ok(all1.find((i) => i.InstanceId === i1.InstanceId).Tags.find((t) => t.Key === 'Name').Value === special, 'DescribeInstances: XML-special tag value round-trips');
    const dSpot = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-lifecycle', Values: ['spot'] }, { Name: 'availability-zone', Values: ['us-east-1?'] }] }));
    ok(dSpot.Reservations.flatMap((r) => r.Instances).length === 2, 'DescribeInstances: instance-lifecycle + wildcard availability-zone filters');
    const dTok = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: ['token-spot-1'] }, { Name: 'instance-type', Values: ['g4dn.*'] }] }));
    ok(dTok.Reservations.flatMap((r) => r.Instances).length === 2, 'DescribeInstances: client-token + instance-type filters');
    const dKey = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['Name'] }] }));
    ok(dKey.Reservations.flatMap((r) => r.Instances).length === 1, 'DescribeInstances: tag-key filter');
    const dIds = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [i1.InstanceId] }));
    ok(dIds.Reservations.length === 1 && dIds.Reservations[0].Instances[0].InstanceId === i1.InstanceId, 'DescribeInstances: InstanceId.N');
    await expectError('DescribeInstances unknown id', ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound', 400);
    await expectError('DescribeInstances malformed id', ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-xyz'] })), 'InvalidInstanceID.Malformed', 400);
    await expectError('DescribeInstances unknown filter', ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })), 'InvalidParameterValue', 400);
    await expectError('DescribeInstances MaxResults 3', ec2.send(new DescribeInstancesCommand({ MaxResults: 3 })), 'InvalidParameterValue', 400);

    // Pagination: 12 more instances from the control API (3 reservations).
    for (const n of [4, 4, 4]) {
      await ctl('POST', '/_fake/instances', { count: n, instance_type: 'm5.large', tags: { pager: 'yes', 'ec2-autoscaler:instance': 'other-machine' } });
    }
    const seen = [];
    let pages = 0;
    let maxPageReservations = 0;
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, { Filters: [{ Name: 'tag:pager', Values: ['yes'] }] })) {
      pages++;
      maxPageReservations = Math.max(maxPageReservations, page.Reservations.length);
      for (const r of page.Reservations) for (const i of r.Instances) seen.push(i.InstanceId);
    }
    ok(pages === 3 && seen.length === 12 && new Set(seen).size === 12 && maxPageReservations === 2, 'DescribeInstances: MaxResults 5 + NextToken pagination (SDK paginator: 3 pages, 12 unique, reservations split across pages)', { pages, n: seen.length, maxPageReservations });

    // ---------------------------------------------------------------- untagged / orphan
    const direct = await ctl('POST', '/_fake/instances', { instance_type: 't3.micro', state: 'running' });
    const dUn = await ec2.send(new DescribeInstancesCommand({ InstanceIds: direct.instance_ids }));
    ok(dUn.Reservations[0].Instances[0].Tags === undefined || dUn.Reservations[0].Instances[0].Tags.length === 0, 'control: an untagged instance is listed without tags');

    // ---------------------------------------------------------------- CreateTags
    const ct = await ec2.send(new CreateTagsCommand({ Resources: [direct.instance_ids[0]], Tags: [{ Key: 'team', Value: 'x<y' }] }));
    const dCt = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['x<y'] }] }));
    ok(ct.$metadata.httpStatusCode === 200 && dCt.Reservations.length === 1, 'CreateTags: <return>true</return> parsed; tag visible in DescribeInstances');

    // ---------------------------------------------------------------- GetConsoleOutput
    const co = await ec2.send(new GetConsoleOutputCommand({ InstanceId: i1.InstanceId }));
    const text = Buffer.from(co.Output || '', 'base64').toString('utf8');
    ok(co.InstanceId === i1.InstanceId && text.includes('echo "hello from user-data"') && co.Timestamp instanceof Date, 'GetConsoleOutput: base64 <output> with the user-data first lines', text.slice(0, 200));

    // ---------------------------------------------------------------- DescribeSpotPriceHistory
    const sp = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['g4dn.xlarge'], ProductDescriptions: ['Linux/UNIX'], StartTime: new Date() }));
    ok(sp.SpotPriceHistory.length === 6 && sp.SpotPriceHistory.every((p) => p.InstanceType === 'g4dn.xlarge' && Number(p.SpotPrice) > 0 && p.Timestamp instanceof Date && p.ProductDescription === 'Linux/UNIX'),
      'DescribeSpotPriceHistory: latest price per type+AZ (6 zones of us-east-1)', sp.SpotPriceHistory.length);
    await ctl('POST', '/_fake/config', { spot_prices: { 'g4dn.xlarge': { 'us-east-1b': 0.25 } } });
    const sp2 = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['g4dn.xlarge'], ProductDescriptions: ['Linux/UNIX'], AvailabilityZone: 'us-east-1b', StartTime: new Date() }));
    ok(sp2.SpotPriceHistory.length === 1 && sp2.SpotPriceHistory[0].SpotPrice === '0.250000', 'DescribeSpotPriceHistory: configured price becomes the latest point', sp2.SpotPriceHistory);
    const sp3 = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['g4dn.xlarge'], AvailabilityZone: 'us-east-1b' }));
    ok(sp3.SpotPriceHistory.length === 4 && sp3.SpotPriceHistory[0].Timestamp >= sp3.SpotPriceHistory[3].Timestamp, 'DescribeSpotPriceHistory: full history, both products, newest first', sp3.SpotPriceHistory.length);
    let spPages = 0;
    let spItems = 0;
    let token;
    do {
      const r = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['t3.micro'], ProductDescriptions: ['Linux/UNIX'], StartTime: new Date(), MaxResults: 4, NextToken: token }));
      spPages++;
      spItems += r.SpotPriceHistory.length;
      token = r.NextToken;
    } while (token);
    ok(spPages === 2 && spItems === 6, 'DescribeSpotPriceHistory: MaxResults + NextToken pagination', { spPages, spItems });
    await expectError('RunInstances spot MaxPrice below the price', ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'g4dn.xlarge', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1b' }, InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: '0.01' } } })), 'SpotMaxPriceTooLow', 400);

    // ---------------------------------------------------------------- TerminateInstances
    const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run2.Instances[0].InstanceId] }));
    ok(term.TerminatingInstances.length === 1 && term.TerminatingInstances[0].CurrentState.Name === 'shutting-down' && term.TerminatingInstances[0].PreviousState.Name === 'running' && term.TerminatingInstances[0].CurrentState.Code === 32,
      'TerminateInstances: currentState shutting-down, previousState running');
    await sleep(300);
    const term2 = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run2.Instances[0].InstanceId] }));
    ok(term2.TerminatingInstances[0].CurrentState.Name === 'terminated' && term2.TerminatingInstances[0].PreviousState.Name === 'terminated', 'TerminateInstances: already terminated id succeeds (terminated/terminated)');
    await expectError('TerminateInstances unknown id', ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0fffffffffffffff0'] })), 'InvalidInstanceID.NotFound', 400);

    // ---------------------------------------------------------------- spot interruption
    await ctl('POST', '/_fake/spot-interrupt', { instance_id: run2.Instances[1].InstanceId });
    const dInt = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [run2.Instances[1].InstanceId] }));
    const intd = dInt.Reservations[0].Instances[0];
    ok(intd.StateReason && intd.StateReason.Code === 'Server.SpotInstanceTermination' && ['shutting-down', 'terminated'].includes(intd.State.Name), 'spot interruption: stateReason Server.SpotInstanceTermination', intd.StateReason);

    // ---------------------------------------------------------------- account instance limit
    // Counted once nothing is shutting down: an instance that finishes
    // terminating between the count and the launches (the interrupted spot
    // above, on a loaded machine) would free a slot and change the arithmetic.
    for (let i = 0; i < 200 && (await state()).instances.some((x) => x.state === 'shutting-down'); i++) await sleep(100);
    const live = (await state()).instances.filter((x) => x.state !== 'terminated').length;
    await ctl('POST', '/_fake/config', { max_instances: live + 2 });
    const partial = await ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 5 }));
    ok(partial.Instances.length === 2, 'max_instances: MinCount 1 MaxCount 5 with room for 2 launches 2', partial.Instances.length);
    await expectError('max_instances: no room for MinCount', ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 })), 'InstanceLimitExceeded', 400);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: partial.Instances.map((i) => i.InstanceId) }));
    await ctl('POST', '/_fake/config', { max_instances: null });

    // ---------------------------------------------------------------- DescribeAvailabilityZones
    const az = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    ok(az.AvailabilityZones.length === 6 && az.AvailabilityZones.every((z) => z.State === 'available' && z.RegionName === 'us-east-1') && az.AvailabilityZones[0].ZoneName === 'us-east-1a', 'DescribeAvailabilityZones: the zones of the region');
    const az1 = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1d'] }));
    ok(az1.AvailabilityZones.length === 1 && az1.AvailabilityZones[0].ZoneName === 'us-east-1d', 'DescribeAvailabilityZones: ZoneName.N');

    // ---------------------------------------------------------------- DryRun / deny
    await expectError('RunInstances DryRun', ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, DryRun: true })), 'DryRunOperation', 412);
    await ctl('POST', '/_fake/config', { deny_actions: ['RunInstances'] });
    await expectError('RunInstances DryRun denied', ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, DryRun: true })), 'UnauthorizedOperation', 403);
    await ctl('POST', '/_fake/config', { deny_actions: [] });

    // ---------------------------------------------------------------- fault kinds
    const before = (await state('instances,workers,tasks,queues,ec2_requests,clearml_requests')).requests.ec2.RunInstances;
    const simpleRun = (extra = {}) => ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...extra }));
    await fault({ action: 'DescribeInstances', kind: 'throttle' });
    let e = await expectError('fault throttle', ec2.send(new DescribeInstancesCommand({})), 'RequestLimitExceeded', 503);
    ok(e && /^[0-9a-f-]{36}$/.test(e.$metadata.requestId || ''), 'error: $metadata.requestId (x-amzn-RequestId header)', e && e.$metadata);
    await fault({ action: 'RunInstances', kind: 'capacity', zone: 'us-east-1c' });
    const unaffected = await simpleRun({ Placement: { AvailabilityZone: 'us-east-1a' } });
    ok(unaffected.Instances.length === 1, 'fault capacity with zone filter: another zone is not affected');
    e = await expectError('fault capacity (zone us-east-1c)', simpleRun({ Placement: { AvailabilityZone: 'us-east-1c' } }), 'InsufficientInstanceCapacity', 500);
    ok(e && /t3\.micro/.test(e.message) && /us-east-1c/.test(e.message), 'fault capacity: message names the type and the zone');
    await fault({ action: 'RunInstances', kind: 'capacity', market: 'spot' });
    await simpleRun();
    await expectError('fault capacity (market spot)', simpleRun({ InstanceMarketOptions: { MarketType: 'spot' } }), 'InsufficientInstanceCapacity', 500);
    await fault({ action: 'RunInstances', kind: 'quota' });
    await expectError('fault quota on-demand', simpleRun(), 'VcpuLimitExceeded', 400);
    await fault({ action: 'RunInstances', kind: 'quota' });
    await expectError('fault quota spot', simpleRun({ InstanceMarketOptions: { MarketType: 'spot' } }), 'MaxSpotInstanceCountExceeded', 400);
    await fault({ action: '*', kind: 'server' });
    await expectError('fault server', ec2.send(new DescribeInstancesCommand({})), 'InternalError', 500);
    await fault({ action: 'DescribeInstances', kind: 'unavailable' });
    await expectError('fault unavailable', ec2.send(new DescribeInstancesCommand({})), 'Unavailable', 503);
    await fault({ action: 'DescribeInstances', kind: 'auth' });
    await expectError('fault auth', ec2.send(new DescribeInstancesCommand({})), 'AuthFailure', 401);
    await fault({ action: 'RunInstances', kind: 'error', status: 400, code: 'Unsupported', message: 'The requested configuration is currently not supported.' });
    await expectError('fault error (custom code)', simpleRun(), 'Unsupported', 400);
    // For non-XML answers the SDK's error name varies; check the status only.
    const nonXml = async (name, kind, status) => {
      await fault({ action: 'DescribeInstances', kind });
      try {
        const r = await ec2.send(new DescribeInstancesCommand({}));
        ok(status === 'success', `fault ${kind}: ${name}`, { result: 'success', reservations: r.Reservations && r.Reservations.length });
        return r;
      } catch (err) {
        const s = err.$metadata && err.$metadata.httpStatusCode;
        ok(status !== 'success' && (status === 'any' || s === status), `fault ${kind}: ${name}`, { name: err.name, status: s, message: String(err.message).slice(0, 120) });
        return null;
      }
    };
    await nonXml('SDK fails with HTTP 502', 'html', 502);
    await nonXml('SDK fails to parse broken XML', 'malformed', 'any');
    await nonXml('SDK fails on a cut body', 'truncated', 'any');
    await nonXml('SDK fails on a reset connection', 'reset', 'any');
    const huge = await nonXml('SDK parses a multi-megabyte answer', 'huge', 'success');
    ok(huge && huge.Reservations.length > 0, 'fault huge: the padded answer still carries the reservations');
    await fault({ action: 'DescribeInstances', kind: 'empty' });
    try {
      const r = await ec2.send(new DescribeInstancesCommand({}));
      ok(r.$metadata.httpStatusCode === 200 && (r.Reservations === undefined || r.Reservations.length === 0), 'fault empty: 200 with an empty body (SDK sees no reservations)');
    } catch (err) {
      ok(true, `fault empty: SDK rejects an empty body (${err.name})`);
    }
    await fault({ action: 'DescribeInstances', kind: 'hang', delay_ms: 300 });
    const t0 = Date.now();
    await ec2.send(new DescribeInstancesCommand({}));
    ok(Date.now() - t0 >= 280, 'fault hang with delay_ms: the real answer comes late', Date.now() - t0);
    await fault({ action: 'DescribeInstances', kind: 'hang' });
    const quick = makeClient({ requestHandler: { requestTimeout: 400, throwOnRequestTimeout: true } });
    try {
      await quick.send(new DescribeInstancesCommand({}));
      ok(false, 'fault hang: the client times out');
    } catch (err) {
      ok(/timeout/i.test(err.name + err.message), 'fault hang: the client times out', err.name);
    }
    // 'after': the launch happens, the answer is lost; the retry with the same token does not launch twice.
    const nBefore = (await state()).instances.length;
    await fault({ action: 'RunInstances', kind: 'reset', after: true });
    try {
      await simpleRun({ ClientToken: 'lost-answer-1' });
      ok(false, 'fault reset after: the answer is lost');
    } catch (err) {
      ok(true, 'fault reset after: the answer is lost');
    }
    const retry = await simpleRun({ ClientToken: 'lost-answer-1' });
    st = await state();
    ok(st.instances.length === nBefore + 1 && st.launches['lost-answer-1'].instance_ids[0] === retry.Instances[0].InstanceId, 'fault after + ClientToken retry: exactly one instance launched');
    const after = st.requests.ec2.RunInstances;
    ok(after - before === 9, 'state: per-action request counts', { before, after });

    // ---------------------------------------------------------------- auth
    const wrong = makeClient({ credentials: { accessKeyId: AK, secretAccessKey: 'not-the-secret' } });
    const sigBefore = (await state()).signature_failures;
    await expectError('wrong secret', wrong.send(new DescribeInstancesCommand({})), 'SignatureDoesNotMatch', 403);
    ok((await state()).signature_failures === sigBefore + 1, 'state: signature_failures counts mismatches');
    await expectError('unknown access key', makeClient({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: SK } }).send(new DescribeInstancesCommand({})), 'AuthFailure', 401);
    await expectError('wrong region in the scope', makeClient({ region: 'eu-west-1' }).send(new DescribeInstancesCommand({})), 'SignatureDoesNotMatch', 403);
    // EC2 accepts requests up to 15 minutes off; beyond that, RequestExpired.
    await ctl('POST', '/_fake/config', { clock_offset_s: 600 });
    const within = await makeClient().send(new DescribeInstancesCommand({ MaxResults: 5 }));
    ok(within.$metadata.httpStatusCode === 200, 'clock skew of 10 min: accepted (EC2 allows 15 min)');
    await ctl('POST', '/_fake/config', { clock_offset_s: 1000 });
    const skewClient = makeClient();
    e = await expectError('clock skew of 16 min', skewClient.send(new DescribeInstancesCommand({})), 'RequestExpired', 400);
    const dateHeader = e && e.$response && e.$response.headers && e.$response.headers.date;
    ok(dateHeader && Math.abs(Date.parse(dateHeader) - (Date.now() + 1000000)) < 5000, 'Date header follows the fake clock (offset 1000 s)', dateHeader);
    const corrected = makeClient({ systemClockOffset: 1000000 });
    const dc = await corrected.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    ok(dc.$metadata.httpStatusCode === 200, 'a client that corrects its clock from Date succeeds');
    await ctl('POST', '/_fake/config', { clock_offset_s: 0, credentials: [{ access_key_id: 'ASIATEMP', secret_access_key: 'tempsecret', session_token: 'FQoGZXIvYXdzEBYaDFAKE+/=' }] });
    const temp = makeClient({ credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempsecret', sessionToken: 'FQoGZXIvYXdzEBYaDFAKE+/=' } });
    const dt = await temp.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    ok(dt.$metadata.httpStatusCode === 200, 'session credentials: X-Amz-Security-Token accepted');
    await expectError('session credentials without the token', makeClient({ credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempsecret' } }).send(new DescribeInstancesCommand({})), 'AuthFailure', 401);
    await expectError('old credentials after the list was replaced', ec2.send(new DescribeInstancesCommand({})), 'AuthFailure', 401);
    await ctl('POST', '/_fake/config', { credentials: [{ access_key_id: AK, secret_access_key: SK }] });

    // Unknown action, signed by hand (the SDK cannot send one).
    const signer = new SignatureV4({ credentials: { accessKeyId: AK, secretAccessKey: SK }, region: 'us-east-1', service: 'ec2', sha256: Sha256, applyChecksum: false });
    const rawSigned = async (bodyText) => {
      const u = new URL(urls.ec2);
      const req = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: +u.port, path: '/', headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: bodyText });
      const s = await signer.sign(req);
      return fetch(urls.ec2 + '/', { method: 'POST', headers: s.headers, body: bodyText });
    };
    const ua = await rawSigned('Action=NoSuchAction&Version=2016-11-15');
    const uaText = await ua.text();
    ok(ua.status === 400 && uaText.includes('<Code>InvalidAction</Code>') && uaText.startsWith('<?xml version="1.0" encoding="UTF-8"?>') && uaText.includes(`<RequestID>${ua.headers.get('x-amzn-requestid')}</RequestID>`), 'unknown action: InvalidAction with the EC2 error XML, <RequestID> = x-amzn-RequestId');
    const nv = await rawSigned('Action=DescribeInstances');
    ok(nv.status === 400 && (await nv.text()).includes('MissingParameter'), 'missing Version: MissingParameter');

    // ---------------------------------------------------------------- 10,000 instances
    await ctl('POST', '/_fake/reset');
    const tBulk = Date.now();
    await ctl('POST', '/_fake/instances', { count: 10000, instance_type: 'c5.xlarge', tags: { 'ec2-autoscaler:instance': 'bench', 'ec2-autoscaler:resource': 'cpu' } });
    const bulkMs = Date.now() - tBulk;
    const timed = [];
    let bytes = 0;
    for (let k = 0; k < 3; k++) {
      const t = Date.now();
      const r = await rawSigned('Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Aec2-autoscaler%3Ainstance&Filter.1.Value.1=bench');
      const body = await r.text();
      timed.push(Date.now() - t);
      bytes = body.length;
      if (k === 0) ok(r.status === 200 && (body.match(/<instanceId>/g) || []).length === 10000, 'DescribeInstances serves 10,000 instances in one answer');
    }
    console.log(`# bulk create 10000: ${bulkMs} ms; DescribeInstances 10000 (raw HTTP, ${(bytes / 1048576).toFixed(1)} MiB): ${timed.join(', ')} ms`);
    const tSdk = Date.now();
    let nSdk = 0;
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, {})) {
      for (const r of page.Reservations) nSdk += r.Instances.length;
    }
    ok(nSdk === 10000, 'SDK paginator over 10,000 instances (MaxResults 1000)');
    console.log(`# SDK paginated DescribeInstances of 10000 (10 pages): ${Date.now() - tSdk} ms`);
    await ctl('POST', '/_fake/reset');

    // ---------------------------------------------------------------- control API errors
    const badCfg = await fetch(urls.ec2 + '/_fake/config', { method: 'POST', body: JSON.stringify({ boot_delay: 1 }) });
    const badCfgBody = await badCfg.json();
    ok(badCfg.status === 400 && /config\.boot_delay: unknown key/.test(badCfgBody.error), 'control: unknown config key is a 400 naming the key', badCfgBody);
    const badFault = await fetch(urls.clearml + '/_fake/fault', { method: 'POST', body: JSON.stringify({ service: 'ec2', action: 'RunInstances', kind: 'explode' }) });
    ok(badFault.status === 400 && /fault\.kind/.test((await badFault.json()).error), 'control (on the ClearML listener): bad fault kind is a 400 naming the field');

    await ec2WorldChecks(ctl, state, ec2, expectError);
    await clearmlChecks(urls, ctl, state, ec2);
  } catch (err) {
    ok(false, 'self-test aborted', String(err && err.stack));
  } finally {
    child.stdin.end();
    await new Promise((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 3000);
      child.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    ok(child.exitCode === 0, 'fake-cloud exits cleanly on stdin EOF', child.exitCode);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

// Real EC2 rules the client must meet (volumes, network interfaces, console output, launch
// failures, eventual consistency, world data), each answer parsed by the official SDK.
async function ec2WorldChecks (ctl, state, ec2, expectError) {
  await ctl('POST', '/_fake/reset');
  await ctl('POST', '/_fake/config', { boot_delay_s: 0.4, shutdown_delay_s: 0.2 });
  const run = (extra = {}) => ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...extra }));
  const bdm = (ebs, device = '/dev/sda1') => ({ BlockDeviceMappings: [{ DeviceName: device, Ebs: ebs }] });

  // ---- EBS volumes per type (service-2.json EbsBlockDevice)
  await expectError('io1 without Iops', run(bdm({ VolumeSize: 100, VolumeType: 'io1' })), 'InvalidParameterCombination', 400);
  await expectError('io1 over 50 IOPS per GiB', run(bdm({ VolumeSize: 100, VolumeType: 'io1', Iops: 6000 })), 'InvalidParameterValue', 400);
  await expectError('Iops on gp2', run(bdm({ VolumeSize: 100, VolumeType: 'gp2', Iops: 3000 })), 'InvalidParameterCombination', 400);
  await expectError('Throughput on io2', run(bdm({ VolumeSize: 100, VolumeType: 'io2', Iops: 3000, Throughput: 500 })), 'InvalidParameterCombination', 400);
  await expectError('gp3 throughput above 0.25 MiB/s per IOPS', run(bdm({ VolumeSize: 100, VolumeType: 'gp3', Throughput: 1000 })), 'InvalidParameterValue', 400);
  await expectError('sc1 below 125 GiB', run(bdm({ VolumeSize: 100, VolumeType: 'sc1' }, '/dev/sdf')), 'InvalidParameterValue', 400);
  await expectError('standard above 1024 GiB', run(bdm({ VolumeSize: 2000, VolumeType: 'standard' })), 'InvalidParameterValue', 400);
  await expectError('st1 as the root volume', run(bdm({ VolumeSize: 500, VolumeType: 'st1' }, '/dev/xvda')), 'InvalidBlockDeviceMapping', 400);
  const io1 = await run({ ...bdm({ VolumeSize: 100, VolumeType: 'io1', Iops: 5000 }), MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } });
  const gp3 = await run(bdm({ VolumeSize: 8, VolumeType: 'gp3', Iops: 4000, Throughput: 1000 }));
  const st1Data = await run(bdm({ VolumeSize: 500, VolumeType: 'st1' }, '/dev/sdf'));
  ok(io1.Instances[0].MetadataOptions.HttpPutResponseHopLimit === 2, 'MetadataOptions.HttpPutResponseHopLimit 2 is kept and parsed');
  let st = await state();
  const ebsOf = (id) => st.instances.find((x) => x.instance_id === id).block_device_mappings[0].ebs;
  ok(ebsOf(io1.Instances[0].InstanceId).Iops === '5000' && ebsOf(gp3.Instances[0].InstanceId).Throughput === '1000' && st1Data.Instances.length === 1,
    'io1 with Iops, gp3 with Throughput, st1 as a data volume: launched');
  await expectError('hop limit 65', run({ MetadataOptions: { HttpPutResponseHopLimit: 65 } }), 'InvalidParameterValue', 400);

  // ---- a public IP through a network interface; subnet and groups move into it
  const nic = await run({ NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: true, SubnetId: 'subnet-0bbb', Groups: ['sg-0123456789abcdef0'] }] });
  st = await state();
  const sNic = st.instances.find((x) => x.instance_id === nic.Instances[0].InstanceId);
  ok(sNic.subnet_id === 'subnet-0bbb' && sNic.associate_public_ip === true && sNic.security_group_ids[0] === 'sg-0123456789abcdef0', 'NetworkInterface.1: subnet, groups and the public IP choice');
  await expectError('network interface plus a top-level subnet', run({ SubnetId: 'subnet-0bbb', NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: true }] }), 'InvalidParameterCombination', 400);
  await expectError('network interface plus top-level groups', run({ SecurityGroupIds: ['sg-0123456789abcdef0'], NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }] }), 'InvalidParameterCombination', 400);

  // ---- idempotency covers every parameter, the zone too
  await run({ ClientToken: 'idem-zone', Placement: { AvailabilityZone: 'us-east-1a' } });
  await expectError('same token, another zone', run({ ClientToken: 'idem-zone', Placement: { AvailabilityZone: 'us-east-1b' } }), 'IdempotentParameterMismatch', 400);

  // ---- GetConsoleOutput Latest: Nitro only
  const xen = await run({ InstanceType: 't2.micro' });
  await sleep(500);
  await expectError('GetConsoleOutput Latest on a Xen type', ec2.send(new GetConsoleOutputCommand({ InstanceId: xen.Instances[0].InstanceId, Latest: true })), 'UnsupportedOperation', 400);
  const plain = await ec2.send(new GetConsoleOutputCommand({ InstanceId: xen.Instances[0].InstanceId }));
  const nitro = await ec2.send(new GetConsoleOutputCommand({ InstanceId: io1.Instances[0].InstanceId, Latest: true }));
  ok(Buffer.from(plain.Output || '', 'base64').toString().includes('Linux version') && nitro.Output, 'GetConsoleOutput: without Latest on Xen, with Latest on Nitro');

  // ---- EC2 terminates instances while pending (stateReason)
  await ctl('POST', '/_fake/config', { terminate_pending: { 'us-east-1c': 'Server.InsufficientInstanceCapacity' } });
  const doomed = await run({ Placement: { AvailabilityZone: 'us-east-1c' } });
  const fine = await run({ Placement: { AvailabilityZone: 'us-east-1a' } });
  await sleep(700);
  const dd = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [doomed.Instances[0].InstanceId, fine.Instances[0].InstanceId] }));
  const byId = Object.fromEntries(dd.Reservations.flatMap((r) => r.Instances).map((i) => [i.InstanceId, i]));
  const d0 = byId[doomed.Instances[0].InstanceId];
  ok(d0.State.Name === 'terminated' && d0.StateReason.Code === 'Server.InsufficientInstanceCapacity' && /Insufficient capacity/.test(d0.StateReason.Message) &&
     byId[fine.Instances[0].InstanceId].State.Name === 'running', 'terminate_pending: pending -> terminated with stateReason in that zone only', d0 && d0.StateReason);
  const live = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
  ok(!live.Reservations.flatMap((r) => r.Instances).some((i) => i.InstanceId === doomed.Instances[0].InstanceId), 'terminate_pending: gone from a live-state filter');
  await ctl('POST', '/_fake/config', { terminate_pending: {} });

  // ---- eventual consistency right after a launch
  await ctl('POST', '/_fake/config', { eventual_consistency_s: { DescribeInstances: 0.6, TerminateInstances: 0.6 } });
  const fresh = await run();
  const fid = fresh.Instances[0].InstanceId;
  await expectError('DescribeInstances right after the launch', ec2.send(new DescribeInstancesCommand({ InstanceIds: [fid] })), 'InvalidInstanceID.NotFound', 400);
  const filtered = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [fid] }] }));
  ok(filtered.Reservations.length === 0, 'eventual consistency: a filter does not list the new instance yet');
  await expectError('TerminateInstances right after the launch', ec2.send(new TerminateInstancesCommand({ InstanceIds: [fid] })), 'InvalidInstanceID.NotFound', 400);
  await sleep(700);
  const later = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [fid] }));
  ok(later.TerminatingInstances[0].InstanceId === fid, 'eventual consistency: known once the window passed');
  await ctl('POST', '/_fake/config', { eventual_consistency_s: 0 });

  // ---- world data: offered types, addresses, Marketplace, existence, iam:PassRole, opt-in region
  await ctl('POST', '/_fake/config', { unoffered_types: { 'us-east-1e': ['g5.xlarge'] } });
  const e = await expectError('type not offered in the zone', run({ InstanceType: 'g5.xlarge', Placement: { AvailabilityZone: 'us-east-1e' } }), 'Unsupported', 400);
  ok(e && /us-east-1a/.test(e.message) && !/choosing [^.]*us-east-1e/.test(e.message), 'Unsupported: names the zones that offer the type');
  await ctl('POST', '/_fake/config', { subnet_free_addresses: { 'subnet-0full': 0 } });
  await expectError('no free address in the subnet', run({ SubnetId: 'subnet-0full' }), 'InsufficientFreeAddressesInSubnet', 400);
  await ctl('POST', '/_fake/config', { images: { 'ami-0feedfacecafe0001': { marketplace: true } } });
  const mp = await expectError('Marketplace AMI without a subscription', run({ ImageId: 'ami-0feedfacecafe0001' }), 'OptInRequired', 401);
  ok(mp && /Marketplace/.test(mp.message) && /subscribe/.test(mp.message), 'OptInRequired: the Marketplace message');
  await ctl('POST', '/_fake/config', { strict_images: true, security_groups: ['sg-0123456789abcdef0'], key_pairs: ['ml-key'], instance_profiles: ['scaler-role'] });
  await expectError('unknown AMI', run({ ImageId: 'ami-0000000000000dead' }), 'InvalidAMIID.NotFound', 400);
  await ctl('POST', '/_fake/config', { strict_images: false });
  await expectError('unknown security group', run({ SecurityGroupIds: ['sg-0000000000000dead'] }), 'InvalidGroup.NotFound', 400);
  await expectError('unknown key pair', run({ KeyName: 'nobody' }), 'InvalidKeyPair.NotFound', 400);
  await expectError('unknown instance profile', run({ IamInstanceProfile: { Name: 'nobody' } }), 'InvalidParameterValue', 400);
  await ctl('POST', '/_fake/config', { deny_pass_role: true });
  const pr = await expectError('iam:PassRole denied', run({ IamInstanceProfile: { Name: 'scaler-role' } }), 'UnauthorizedOperation', 403);
  ok(pr && /iam:PassRole/.test(pr.message), 'UnauthorizedOperation names iam:PassRole');
  await expectError('iam:PassRole denied on DryRun too', run({ IamInstanceProfile: { Name: 'scaler-role' }, DryRun: true }), 'UnauthorizedOperation', 403);
  await ctl('POST', '/_fake/config', { region_enabled: false });
  await expectError('opt-in region not enabled', ec2.send(new DescribeInstancesCommand({})), 'AuthFailure', 401);
  await ctl('POST', '/_fake/config', { region_enabled: true });

  // ---- NextToken alone continues with the default page size
  await ctl('POST', '/_fake/reset');
  await ctl('POST', '/_fake/instances', { count: 7 });
  const p1 = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
  const p2 = await ec2.send(new DescribeInstancesCommand({ NextToken: p1.NextToken }));
  ok(p2.Reservations.flatMap((r) => r.Instances).length === 2 && !p2.NextToken, 'DescribeInstances: NextToken without MaxResults');
  await ctl('POST', '/_fake/reset');
}

function parserChecks () {
  const { parseAgentUserData, workerIdFor } = require('./lib/world');
  const id = 'i-0123456789abcdef0';
  const cases = [
    ["export CLEARML_WORKER_ID='dynamic_worker:aws4gpu:g4dn.xlarge:'\"$SCALER_INSTANCE_ID\"\n  \"$V/bin/clearml-agent\" daemon \\\n    --queue 'gpu'\n", 'dynamic_worker:aws4gpu:g4dn.xlarge:' + id, 'gpu'],
    ['export CLEARML_WORKER_ID="p:r:t3.micro:${INSTANCE_ID}"\nclearml-agent daemon --queue "my queue" --docker x\n', 'p:r:t3.micro:' + id, 'my queue'],
    ['CLEARML_WORKER_ID=p:r:t:$ID; python -m clearml_agent daemon --queue=cpu\n', 'p:r:t:' + id, 'cpu'],
    ['export CLEARML_WORKER_ID="p:r:t:$(curl -s http://169.254.169.254/latest/meta-data/instance-id)"\nclearml-agent daemon --queue gpu\n', 'p:r:t:' + id, 'gpu'],
    ["export CLEARML_WORKER_ID='it'\\''s:r:t:'\"$X\"\nclearml-agent daemon --queue 'q'\\''s'\n", "it's:r:t:" + id, "q's"],
    ['export CLEARML_WORKER_ID="fixed-worker"\nclearml-agent daemon --queue q\n', 'fixed-worker', 'q'],
  ];
  for (const [text, wid, queue] of cases) {
    const p = parseAgentUserData(text);
    ok(p && workerIdFor(p.template, id) === wid && p.queue === queue, `user-data parser: ${JSON.stringify(text.split('\n')[0]).slice(0, 70)}`, p && { wid: workerIdFor(p.template, id), queue: p.queue });
  }
  ok(parseAgentUserData('#!/bin/bash\necho no agent here\n') === null, 'user-data parser: no worker id -> no agent');

  // clearml.conf as the agent's pyhocon reads it.
  const hocon = require('./lib/hocon');
  const conf = hocon.parse('# c\napi {\n  api_server: "http://h:8008/v2.20"\n  credentials {\n    access_key: "a\\"b\\\\c"\n    secret_key: "x\\by\\u0041"\n  }\n}\n' +
    'sdk.aws.s3.key: ""\nagent { git_user: bot }\nagent.worker_id = ${?NOPE}\nagent.home = ${HOME}/x\n', { HOME: '/root' });
  ok(hocon.lookup(conf, 'api.api_server') === 'http://h:8008/v2.20' && hocon.lookup(conf, 'api.credentials.access_key') === 'a"b\\c' &&
    hocon.lookup(conf, 'api.credentials.secret_key') === 'x\\by\\u0041' && hocon.lookup(conf, 'sdk.aws.s3.key') === '' &&
    hocon.lookup(conf, 'agent.git_user') === 'bot' && hocon.lookup(conf, 'agent.worker_id') === undefined && hocon.lookup(conf, 'agent.home') === '/root/x',
  'hocon: pyhocon escapes only \\\\ \\" (\\b, \\u0041 stay literal); dotted keys merge; ${?x} optional, ${HOME} from the environment', conf);
  let bad = 0;
  for (const text of ['a { b: 1', 'a: "x\ny"', 'include "f.conf"', 'a: ${nope}', 'a b c']) {
    try {
      hocon.parse(text, {});
    } catch (e) {
      if (e instanceof hocon.HoconError) bad++;
    }
  }
  ok(bad === 5, 'hocon: unclosed object, a line break in quotes, include, unresolved ${x}, no separator are errors', bad);
}

async function clearmlChecks (urls, ctl, state, ec2) {
  parserChecks();
  const basic = 'Basic ' + Buffer.from('FAKEKEY:FAKESECRET').toString('base64');
  const call = async (endpoint, body, auth = basic, method = 'POST') => {
    const headers = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    const r = await fetch(`${urls.clearml}/${endpoint}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch (e) { /* not JSON */ }
    return { status: r.status, json, text, headers: r.headers };
  };

  await ctl('POST', '/_fake/config', { boot_delay_s: 0.2, shutdown_delay_s: 0.2, register_delay_s: 0.2, report_interval_s: 0.2 });
  const ping = await call('debug.ping', {}, null);
  ok(ping.status === 200 && ping.json.data.msg === 'ClearML server' && ping.json.meta.result_code === 200 && ping.json.meta.endpoint.name === 'debug.ping' && 'error_stack' in ping.json.meta, 'ClearML debug.ping without auth, full envelope');
  const noauth = await call('queues.get_all', {}, null);
  ok(noauth.status === 401 && noauth.json.meta.result_subcode === 20, 'ClearML: missing auth -> 401/20', noauth.json && noauth.json.meta);
  const badauth = await call('queues.get_all', {}, 'Basic ' + Buffer.from('FAKEKEY:nope').toString('base64'));
  ok(badauth.status === 401 && badauth.json.meta.result_subcode === 22, 'ClearML: wrong secret -> 401/22');
  const login = await call('auth.login', { expiration_sec: 3600 });
  const token = login.json && login.json.data.token;
  ok(login.status === 200 && typeof token === 'string' && token.split('.').length === 3, 'ClearML auth.login -> token');
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  ok(payload.exp - payload.iat === 3600 && payload.api_version === '2.31', 'ClearML token payload: exp/iat/api_version');
  const bearer = 'Bearer ' + token;

  const enq = await ctl('POST', '/_fake/enqueue', { queue: 'gpu', tasks: [{ name: 'train a', duration_s: 0.6 }, { name: 'train b', duration_s: 0.6 }] });
  await ctl('POST', '/_fake/enqueue', { queue: 'gpu-large', count: 1 });
  const qa = await call('queues.get_all', { name: '^gpu$', only_fields: ['id', 'name'] }, bearer);
  ok(qa.status === 200 && qa.json.data.queues.length === 1 && qa.json.data.queues[0].id === enq.queue_id && qa.json.data.queues[0].entries === undefined, 'ClearML queues.get_all: exact name via ^...$, only_fields', qa.json && qa.json.data);
  const qc = await call('queues.get_all', { name: 'gpu' }, bearer);
  ok(qc.json.data.queues.length === 2, 'ClearML queues.get_all: name is a "contains" regex');
  const qb = await call('v2.23/queues.get_by_id', { queue: enq.queue_id }, bearer);
  ok(qb.status === 200 && qb.json.data.queue.entries.map((e) => e.task).join() === enq.task_ids.join() && qb.json.meta.endpoint.requested_version === '2.23' && /\+00:00$/.test(qb.json.data.queue.entries[0].added), 'ClearML queues.get_by_id: FIFO entries, versioned path');
  const qbad = await call('queues.get_by_id', { queue: 'nope' }, bearer);
  ok(qbad.status === 400 && qbad.json.meta.result_subcode === 701 && qbad.json.data && Object.keys(qbad.json.data).length === 0, 'ClearML: unknown queue id -> 400/701', qbad.json && qbad.json.meta);
  const ne = await call('queues.get_num_entries', { queue: enq.queue_id }, bearer);
  ok(ne.status === 200 && ne.json.data.num === 2, 'ClearML queues.get_num_entries (2.15+)');
  const ne13 = await call('v2.13/queues.get_num_entries', { queue: enq.queue_id }, bearer);
  ok(ne13.status === 404 && /Unable to find endpoint for name queues.get_num_entries and version 2.13/.test(ne13.json.meta.result_msg), 'ClearML: v2.13 path -> endpoint not found', ne13.json && ne13.json.meta);
  await ctl('POST', '/_fake/config', { clearml_api_version: '2.13' });
  const old = await call('queues.get_num_entries', { queue: enq.queue_id }, bearer);
  ok(old.status === 404, 'ClearML: server max 2.13 has no get_num_entries');
  await ctl('POST', '/_fake/config', { clearml_api_version: '2.31' });
  const unk = await call('queues.no_such_thing', {}, bearer);
  ok(unk.status === 404, 'ClearML: unknown endpoint -> 404');
  const getWithBody = await new Promise((resolve, reject) => {
    const body = JSON.stringify({ queue: enq.queue_id });
    const req = http.request(`${urls.clearml}/queues.get_by_id`, { method: 'GET', headers: { authorization: basic, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
  ok(getWithBody.status === 200 && getWithBody.json.data.queue.id === enq.queue_id, 'ClearML: GET with a JSON body (as the Python SDK sends)');

  // Agent simulation.
  const ud = (q, res) => `#!/bin/bash\nset -x\nexport CLEARML_WORKER_ID="dyn:${res}:t3.micro:"'$DYNAMIC_INSTANCE_ID'\nexport CLEARML_WORKER_ID="dyn:${res}:t3.micro:\${DYNAMIC_INSTANCE_ID}"\npython -m clearml_agent daemon --queue '${q}' --docker 'ubuntu'\n`;
  const run = await ec2.send(new RunInstancesCommand({
    ImageId: AMI,
    InstanceType: 't3.micro',
    MinCount: 1,
    MaxCount: 1,
    UserData: Buffer.from(ud('gpu', 'gpures')).toString('base64'),
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'ec2-autoscaler:resource', Value: 'gpures' }] }],
  }));
  const iid = run.Instances[0].InstanceId;
  const wid = `dyn:gpures:t3.micro:${iid}`;
  let busy = null;
  for (let k = 0; k < 30 && !busy; k++) {
    await sleep(100);
    const w = await call('workers.get_all', {}, bearer);
    busy = w.json.data.workers.find((x) => x.id === wid && x.task);
  }
  ok(busy && busy.task.name === 'train a' && busy.queue.name === 'gpu' && busy.queues[0].num_tasks === 1, 'agent: worker registers with the id from user-data and takes the head task', busy);
  let tasks = await call('tasks.get_all', { id: enq.task_ids, only_fields: ['id', 'status', 'last_worker'] }, bearer);
  ok(tasks.json.data.tasks.find((t) => t.id === enq.task_ids[0]).status === 'in_progress' && tasks.json.data.tasks.find((t) => t.id === enq.task_ids[0]).last_worker === wid, 'tasks.get_all: running task in_progress with last_worker');
  await sleep(1500);
  tasks = await call('tasks.get_all', { status: ['completed'] }, bearer);
  let idle = (await call('workers.get_all', { last_seen: 600 }, bearer)).json.data.workers.find((x) => x.id === wid);
  ok(tasks.json.data.tasks.length === 2 && idle && !('task' in idle), 'agent: tasks complete, idle worker has no task key', { n: tasks.json.data.tasks.length, idle });
  const pat = await call('workers.get_all', { worker_pattern: 'other:*' }, bearer);
  ok(pat.json.data.workers.length === 0, 'workers.get_all: worker_pattern filters');
  const patOld = await call('v2.23/workers.get_all', { worker_pattern: 'other:*' }, bearer);
  ok(patOld.json.data.workers.length === 0 && patOld.json.meta.endpoint.actual_version === '2.4', 'workers.get_all: one endpoint from 2.4 whose worker_pattern applies on every version');
  const patMine = await call('workers.get_all', { worker_pattern: 'dyn:gpures:*' }, bearer);
  ok(patMine.json.data.workers.length === 1, 'workers.get_all: worker_pattern is a glob on the worker id');
  const naive = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/;
  ok(naive.test(idle.register_time) && naive.test(idle.last_activity_time) && naive.test(idle.last_report_time) && idle.user.name === 'autoscaler',
    'workers.get_all: times are naive isoformat (no offset; no fraction when 0); the user who registered', idle);
  // unregister: comes back at the next report. Reports slow down to one per
  // 2 s first (once the report already due has come), so that none falls
  // between the unregister and the check that the worker is gone; then the
  // worker is polled for, never waited for with one fixed sleep (on a loaded
  // machine the report can come late).
  const workerNow = async () => (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id === wid);
  await ctl('POST', '/_fake/config', { report_interval_s: 2 });
  const reportedAt = (await workerNow()).last_report_time;
  for (let k = 0; k < 200 && (await workerNow()).last_report_time === reportedAt; k++) await sleep(50);
  await call('workers.unregister', { worker: wid }, bearer);
  const gone = await workerNow();
  let back = null;
  for (let k = 0; k < 100 && !back; k++) {
    await sleep(100);
    back = await workerNow();
  }
  ok(!gone && back, 'workers.unregister: a live agent re-registers at its next report', { gone: !!gone, back: !!back });
  await ctl('POST', '/_fake/config', { report_interval_s: 0.2 });

  // zombie, after a last report while shutting down that re-registers an unregistered entry
  await ctl('POST', '/_fake/config', { zombie_linger_s: 0.8, shutdown_delay_s: 0.4 });
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [iid] }));
  await call('workers.unregister', { worker: wid }, bearer);
  const z0 = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id === wid);
  await sleep(250);
  const z = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id === wid);
  await sleep(1000);
  const z2 = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id === wid);
  ok(!z0 && z && !z2, 'agent: a shutting-down instance reports once more (re-registered), then lingers as a zombie for zombie_linger_s', { z0: !!z0, z: !!z, z2: !!z2 });
  await ctl('POST', '/_fake/config', { shutdown_delay_s: 0.2 });

  // never register + spot interruption stops the task
  await ctl('POST', '/_fake/config', { zombie_linger_s: 0, never_register_resources: ['broken'] });
  const enq2 = await ctl('POST', '/_fake/enqueue', { queue: 'spotq', tasks: [{ name: 'long', duration_s: 100 }] });
  const brokenIds = await ctl('POST', '/_fake/instances', { user_data: ud('spotq', 'broken'), tags: { 'ec2-autoscaler:resource': 'broken' } });
  const spotIds = await ctl('POST', '/_fake/instances', { user_data: ud('spotq', 'spotres'), tags: { 'ec2-autoscaler:resource': 'spotres' }, market: 'spot' });
  let sw = null;
  for (let k = 0; k < 30 && !sw; k++) {
    await sleep(100);
    sw = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id.endsWith(spotIds.instance_ids[0]) && x.task);
  }
  const brokenW = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id.endsWith(brokenIds.instance_ids[0]));
  ok(sw && !brokenW, 'agent: never_register_resources never registers; another resource does', { sw: !!sw, brokenW: !!brokenW });
  await ctl('POST', '/_fake/spot-interrupt', { instance_id: spotIds.instance_ids[0] });
  const tk = (await call('tasks.get_by_id', { task: enq2.task_ids[0] }, bearer)).json.data.task;
  await sleep(300); // its last report while shutting down, then gone
  const swAfter = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id.endsWith(spotIds.instance_ids[0]));
  const q2 = (await call('queues.get_by_id', { queue: enq2.queue_id }, bearer)).json.data.queue;
  ok(tk.status === 'stopped' && !swAfter && q2.entries.length === 0, 'agent: spot interruption kills the worker, task stopped, nothing re-queued', { status: tk.status });
  const tbad = await call('tasks.get_by_id', { task: 'nope' }, bearer);
  ok(tbad.status === 400 && tbad.json.meta.result_subcode === 101, 'tasks.get_by_id unknown -> 400/101');

  // free-standing workers and last_seen
  await ctl('POST', '/_fake/workers', { id: 'old:worker', queue: 'gpu', last_activity_age_s: 7200 });
  await ctl('POST', '/_fake/workers', { id: 'busy:worker', queue: 'gpu', task_name: 'elsewhere', busy_s: 100 });
  const ls = (await call('workers.get_all', {}, bearer)).json.data.workers.map((x) => x.id);
  const ls0 = (await call('workers.get_all', { last_seen: 0 }, bearer)).json.data.workers.map((x) => x.id);
  const busyW = (await call('workers.get_all', {}, bearer)).json.data.workers.find((x) => x.id === 'busy:worker');
  ok(!ls.includes('old:worker') && ls0.includes('old:worker') && busyW && busyW.task.name === 'elsewhere', 'workers.get_all: last_seen (default 3600 s) hides stale workers; free-standing busy worker', { ls, ls0 });

  // get_next_task is counted
  const gnt = await call('queues.get_next_task', { queue: enq.queue_id }, bearer);
  const st = await state();
  ok(gnt.status === 200 && st.get_next_task_calls === 1 && st.requests.clearml['queues.get_next_task'] === 1, 'queues.get_next_task exists and is counted');
  const cq = await call('queues.create', { name: 'newq' }, bearer);
  const cq2 = await call('queues.create', { name: 'newq' }, bearer);
  ok(cq.status === 200 && typeof cq.json.data.id === 'string' && cq2.status === 400, 'queues.create; duplicate name rejected');

  // The real server's rules for users, server.info and before_request.
  await ctl('POST', '/_fake/config', { clearml_users: [{ key: 'OTHERKEY', secret: 'OTHERSECRET', name: 'agents' }] });
  const other = 'Basic ' + Buffer.from('OTHERKEY:OTHERSECRET').toString('base64');
  await ctl('POST', '/_fake/workers', { id: 'theirs:w1', queue: 'gpu', user: 'agents' });
  await ctl('POST', '/_fake/workers', { id: 'mine:w1', queue: 'gpu' });
  const un = await call('workers.unregister', { worker: 'theirs:w1' }, basic);
  let wl = (await call('workers.get_all', {}, basic)).json.data.workers;
  const theirs = wl.find((x) => x.id === 'theirs:w1');
  ok(un.status === 200 && theirs && theirs.user.name === 'agents' && theirs.key.includes('_u0fakeuser'), 'workers.unregister of another user\'s worker: 200, nothing removed', { status: un.status, theirs });
  await call('workers.unregister', { worker: 'theirs:w1' }, other);
  await call('workers.unregister', { worker: 'mine:w1' }, basic);
  wl = (await call('workers.get_all', {}, basic)).json.data.workers;
  ok(!wl.find((x) => x.id === 'theirs:w1') && !wl.find((x) => x.id === 'mine:w1'), 'workers.unregister removes the caller\'s own workers');
  const me = await call('users.get_current_user', {}, other);
  ok(me.status === 200 && me.json.data.user.name === 'agents', 'users.get_current_user: the caller', me.json && me.json.data);
  const info = await call('server.info', {}, null);
  const infoOld = await call('v2.11/server.info', {}, 'Basic ' + Buffer.from('x:y').toString('base64'));
  ok(info.status === 200 && info.json.data.api_version === '2.31' && infoOld.status === 200 && infoOld.json.data.api_version === undefined,
    'server.info: no authentication (any credentials); api_version from 2.12', infoOld.json && infoOld.json.data);
  const nocolon = await call('queues.get_all', {}, 'Basic ' + Buffer.from('FAKEKEY').toString('base64'));
  ok(nocolon.status === 401 && nocolon.json.meta.result_subcode === 22, 'Basic without ":" is an empty secret: 401/22', nocolon.json && nocolon.json.meta);
  const gz = await fetch(`${urls.clearml}/queues.get_all`, { method: 'POST', headers: { authorization: basic, 'content-encoding': 'gzip' }, body: '{}' });
  ok(gz.status === 415 && !(gz.headers.get('content-type') || '').includes('json') && /Content encoding is not supported/.test(await gz.text()), '415 from before_request is plain text');
  const qd = (await call('queues.get_all', { name: '^gpu$' }, basic)).json.data.queues[0];
  ok(!('display_name' in qd), 'queues: display_name only when set');
  await ctl('POST', '/_fake/config', { clearml_users: [] });

  // ClearML faults
  const cf = (action, kind, extra = {}) => ctl('POST', '/_fake/fault', { service: 'clearml', action, kind, ...extra });
  await cf('queues.get_all', 'html');
  let r = await call('queues.get_all', {}, bearer);
  ok(r.status === 200 && r.json === null && /<html/i.test(r.text), 'ClearML fault html: 200 text/html page');
  await cf('queues.get_all', 'proxy502');
  r = await call('queues.get_all', {}, bearer);
  ok(r.status === 502 && r.json === null, 'ClearML fault proxy502');
  await cf('queues.get_all', 'malformed');
  r = await call('queues.get_all', {}, bearer);
  ok(r.status === 200 && r.json === null, 'ClearML fault malformed: invalid JSON');
  await cf('queues.get_all', 'missing_fields');
  r = await call('queues.get_all', {}, bearer);
  ok(r.status === 200 && r.json && r.json.data && r.json.data.queues === undefined, 'ClearML fault missing_fields: envelope without the payload');
  await cf('*', 'token_expired');
  r = await call('queues.get_all', {}, bearer);
  const r2 = await call('queues.get_all', {}, bearer);
  ok(r.status === 401 && r.json.meta.result_subcode === 30 && r2.status === 401 && /expired/.test(r2.json.meta.result_msg), 'ClearML fault token_expired: token now expired (401/30)');
  const relog = await call('auth.login', {});
  r = await call('queues.get_all', {}, 'Bearer ' + relog.json.data.token);
  ok(r.status === 200, 'ClearML: a fresh login works again');
  await cf('workers.get_all', 'server');
  r = await call('workers.get_all', {}, basic);
  ok(r.status === 500 && r.json.meta.result_code === 500 && typeof r.json.meta.error_stack === 'string', 'ClearML fault server: 500 envelope with error_stack');
}

main();
