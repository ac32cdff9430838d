using System.Globalization;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Local;

namespace IoTOwnerBot.Chaos;

/// <summary>
/// One instance of IoTOwnerBot as a child process against the run's emulator and database. It keeps its port across
/// restarts, so the card buttons it sent (which point at <c>Service:PublicBaseUrl</c>) still reach it after a kill.
/// </summary>
public sealed class ServiceInstance(int number, Uri emulator, ChaosDatabase database, int instances, IReadOnlyList<string> senders, string socMemberId, string logs) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private ChildProcess? _process;
    private int _runs;

    public int Number { get; } = number;
    public int Port { get; } = ChildProcess.FreeLoopbackPort();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    public Uri MessagingEndpoint => new(BaseAddress, "api/messages");

    /// <summary>Up and answering /readyz (as last seen).</summary>
    public bool IsReady { get; private set; }

    /// <summary>Launches the process (a new log file per run); does not wait for it.</summary>
    public void Launch()
    {
        _process?.Dispose();
        IsReady = false;
        _runs++;
        var log = Path.Combine(logs, string.Create(CultureInfo.InvariantCulture, $"service-{Number}.run-{_runs:000}.log"));
        _process = ChildProcess.Start("IoTOwnerBot.Local.dll", Arguments(), log);
    }

    /// <summary>Waits until /readyz answers 200; false when the process exited or <paramref name="timeout"/> passed.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && _process is { HasExited: false })
        {
            if (await ProbeAsync(ct)) return IsReady = true;
            await Task.Delay(100, ct);
        }
        return false;
    }

    /// <summary>One look at /readyz.</summary>
    public async Task<bool> ProbeAsync(CancellationToken ct = default)
    {
        try
        {
            using var ready = await _http.GetAsync(new Uri(BaseAddress, "readyz"), ct);
            return ready.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public bool HasExited => _process is null or { HasExited: true };

    public async Task KillAsync()
    {
        IsReady = false;
        if (_process is not null) await _process.KillAsync();
    }

    public async Task TerminateAsync()
    {
        IsReady = false;
        if (_process is not null) await _process.TerminateAsync(TimeSpan.FromSeconds(60));
    }

    private List<string> Arguments()
    {
        var url = BaseAddress.AbsoluteUri.TrimEnd('/');
        var settings = new Dictionary<string, string>
        {
            ["urls"] = url,
            ["Service:PublicBaseUrl"] = url,
            // Local mode against the run's emulator, which outlives every kill (README: two instances with Local:EmulatorUrl).
            ["Local:EmulatorUrl"] = emulator.AbsoluteUri,
            ["Storage:Provider"] = database.Provider,
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Jobs:Instances"] = instances.ToString(CultureInfo.InvariantCulture),
            // Short leases and retries so a killed instance's work is taken over within seconds.
            ["Jobs:Lease"] = "00:00:05",
            ["Jobs:PollInterval"] = "00:00:00.250",
            ["Jobs:FirstRetryDelay"] = "00:00:00.250",
            ["Jobs:MaxRetryDelay"] = "00:00:02",
            ["Sentinel:Poller:Interval"] = "00:00:05",
            ["Outlook:UncertainSendRecheckDelay"] = "00:00:01",
            ["Bot:UncertainPostRecheckDelay"] = "00:00:01",
            // Every question goes out alone, at once: the audit counts one e-mail or card per owner and incident.
            // (Each sender mailbox of the pool keeps to Exchange's 30 a minute, as the emulator requires.)
            ["Digest:Window"] = "00:00:00",
            // One key for every run and instance, so a card sent before a kill still verifies after it.
            ["Outlook:ActionTokenKeys:0:Id"] = "chaos",
            ["Outlook:ActionTokenKeys:0:Secret"] = "chaos-runner-only-action-token-key-0123456789abcdef",
            // The SOC thread in the emulator's SOC team (as LocalMode.SocThreadFor sets it in-process).
            ["SocThread:Enabled"] = "true",
            ["SocThread:TeamId"] = TeamsWorld.SocTeamId,
            ["SocThread:TeamGroupId"] = TeamsWorld.SocTeamGroupId,
            ["SocThread:CreationTakeOverAfter"] = "00:01:00",
            ["SocThread:ChannelId"] = TeamsWorld.SocChannelId,
            ["SocThread:Members:0"] = socMemberId,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:IoTOwnerBot"] = "Information",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        };
        for (var i = 0; i < senders.Count; i++) settings[$"Outlook:SenderMailboxes:{i}"] = senders[i];
        return [.. settings.SelectMany(s => new[] { $"--{s.Key}", s.Value })];
    }

    public void Dispose()
    {
        _process?.Dispose();
        _http.Dispose();
    }
}
