namespace IoTOwnerBot.Chaos;

/// <summary>What the chaos monkey did to the service.</summary>
public sealed class ChaosCounts
{
    public int Kills { get; set; }
    public int Sigterms { get; set; }
    public int StartupKills { get; set; }
    public int Restarts { get; set; }
}

/// <summary>
/// Kills the service at random moments: SIGKILL while it works, SIGTERM (a graceful stop, as a rolling deploy does) and
/// SIGKILL shortly after launch, before /readyz answers (start-up: migrations, the first claims). Every stopped
/// instance is started again at once.
/// </summary>
public sealed class ChaosMonkey(IReadOnlyList<ServiceInstance> instances, ChaosOptions options, Random random, Action<string> log)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public ChaosCounts Counts { get; } = new();

    /// <summary>Rough length of the chaos, for pacing the incidents across it.</summary>
    public TimeSpan EstimatedDuration => TimeSpan.FromSeconds((options.Kills + options.Sigterms + options.StartupKills) * 5.0);

    public async Task RunAsync(CancellationToken ct)
    {
        var actions = Enumerable.Repeat(ChaosAction.Kill, options.Kills)
            .Concat(Enumerable.Repeat(ChaosAction.Sigterm, options.Sigterms))
            .Concat(Enumerable.Repeat(ChaosAction.StartupKill, options.StartupKills))
            .OrderBy(_ => random.Next()).ToList();
        foreach (var action in actions)
        {
            ct.ThrowIfCancellationRequested();
            var target = instances[random.Next(instances.Count)];
            // Let it work a while: from a fraction of a second (mid start-up work) to a few seconds.
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 4000)), ct);
            switch (action)
            {
                case ChaosAction.Kill:
                    await target.KillAsync();
                    Counts.Kills++;
                    log($"SIGKILL service {target.Number}");
                    await RestartAsync(target, ct);
                    break;
                case ChaosAction.Sigterm:
                    await target.TerminateAsync();
                    Counts.Sigterms++;
                    log($"SIGTERM service {target.Number}");
                    await RestartAsync(target, ct);
                    break;
                case ChaosAction.StartupKill:
                    await target.KillAsync();
                    await StartupKillAsync(target, ct);
                    await RestartAsync(target, ct);
                    break;
            }
        }
    }

    /// <summary>Launches and kills before /readyz answers; a start that was quicker than the delay counts as a plain kill and is tried again.</summary>
    private async Task StartupKillAsync(ServiceInstance target, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            target.Launch();
            Counts.Restarts++;
            var delay = TimeSpan.FromMilliseconds(random.Next(100, Math.Max(200, 1500 >> attempt)));
            var ready = await target.WaitReadyAsync(delay, ct);
            await target.KillAsync();
            if (!ready)
            {
                Counts.StartupKills++;
                log($"SIGKILL service {target.Number} during start-up ({delay.TotalMilliseconds:0} ms after launch)");
                return;
            }
            Counts.Kills++;
            log($"SIGKILL service {target.Number} (it was ready sooner than {delay.TotalMilliseconds:0} ms)");
        }
    }

    public async Task RestartAsync(ServiceInstance target, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            target.Launch();
            Counts.Restarts++;
            if (await target.WaitReadyAsync(StartTimeout, ct)) return;
            await target.KillAsync();
            if (attempt == 3) throw new InvalidOperationException($"Service {target.Number} did not become ready three times in a row; see its logs.");
            log($"service {target.Number} did not become ready; starting it again");
        }
    }

    private enum ChaosAction { Kill, Sigterm, StartupKill }
}
