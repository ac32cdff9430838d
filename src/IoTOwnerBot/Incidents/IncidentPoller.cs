using IoTOwnerBot.Persistence;
using IoTOwnerBot.Sentinel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>
/// The safety net behind the automation rule: reads each workspace's incidents, newest change first,
/// down to a durable checkpoint, and feeds Defender for IoT incidents to the same idempotent intake.
/// </summary>
public sealed partial class IncidentPoller(
    IServiceScopeFactory scopes,
    IOptionsMonitor<SentinelOptions> options,
    TimeProvider time,
    ILogger<IncidentPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Poller.Enabled) return;
        using var timer = new PeriodicTimer(options.CurrentValue.Poller.Interval, time);
        do
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.PollFailed(logger, ex);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over every configured workspace; returns how many incidents were newly accepted.</summary>
    public async Task<int> PollOnceAsync(CancellationToken ct)
    {
        var config = options.CurrentValue;
        var accepted = 0;
        foreach (var workspace in config.Workspaces)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
            var sentinel = scope.ServiceProvider.GetRequiredService<SentinelClient>();
            var intake = scope.ServiceProvider.GetRequiredService<IntakeService>();

            var checkpoint = await db.PollerCheckpoints.FirstOrDefaultAsync(c => c.WorkspaceKey == workspace.Key, ct);
            var since = checkpoint?.LastModifiedUtc - config.Poller.Overlap ?? time.GetUtcNow() - config.Poller.InitialLookback;
            var newest = checkpoint?.LastModifiedUtc ?? DateTimeOffset.MinValue;

            await foreach (var incident in sentinel.ListIncidentsByLastModifiedAsync(workspace, config.Poller.PageSize, ct))
            {
                var modified = incident.Properties.LastModifiedTimeUtc ?? incident.Properties.CreatedTimeUtc;
                if (modified is { } m && m < since) break;
                if (modified > newest) newest = modified.Value;
                if (string.Equals(incident.Properties.Status, "Closed", StringComparison.OrdinalIgnoreCase)) continue;
                var products = incident.Properties.AdditionalData?.AlertProductNames ?? [];
                if (!products.Any(p => config.IoTProductNames.Contains(p, StringComparer.OrdinalIgnoreCase))) continue;
                if (incident.Name is null) continue;

                var result = await intake.AcceptAsync(new IntakeRequest(workspace.Incident(incident.Name), null, "poller"), ct);
                if (result.Status == IntakeStatus.Accepted)
                {
                    accepted++;
                    Log.Picked(logger, incident.Name, workspace.WorkspaceName);
                }
            }

            if (newest > DateTimeOffset.MinValue)
            {
                if (checkpoint is null)
                    db.PollerCheckpoints.Add(new PollerCheckpoint { WorkspaceKey = workspace.Key, LastModifiedUtc = newest, UpdatedAt = time.GetUtcNow() });
                else
                {
                    checkpoint.LastModifiedUtc = newest;
                    checkpoint.UpdatedAt = time.GetUtcNow();
                }
                await db.SaveChangesAsync(ct);
            }
        }
        return accepted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Poller picked up incident {IncidentName} in workspace {Workspace}")]
        public static partial void Picked(ILogger logger, string incidentName, string workspace);

        [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Incident poll failed; the next tick tries again")]
        public static partial void PollFailed(ILogger logger, Exception ex);
    }
}
