using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Incidents;

/// <summary>Posts one timeline comment on its incident; the fixed comment id makes a retry a no-op.</summary>
public sealed class CommentWorkHandler(SentinelClient sentinel) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<CommentWork>();
        if (!IncidentRef.TryParse(work.IncidentId, out var incident)) return WorkResult.Fail($"'{work.IncidentId}' is not an incident ARM id.");
        try
        {
            await sentinel.AddCommentAsync(incident, work.CommentId, work.Message, ct);
            return WorkResult.Done;
        }
        catch (SentinelException ex) when (!ex.IsTransient)
        {
            return WorkResult.Fail(ex.Message);
        }
    }
}
