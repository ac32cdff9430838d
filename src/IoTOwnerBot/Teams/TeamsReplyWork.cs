using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Teams;

/// <summary>Durable work: a text message into a conversation (greeting, help).</summary>
public sealed record TeamsReplyWork(string ServiceUrl, string ConversationId, string Text) : IWork
{
    public static string Kind => "teams.reply";
}

/// <summary>Sends a greeting or help text.</summary>
public sealed class TeamsReplyWorkHandler(BotConnectorClient connector, RetryBackoff backoff) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsReplyWork>();
        try
        {
            await connector.SendAsync(work.ServiceUrl, work.ConversationId, OutgoingActivity.Message(work.Text), ct);
            return WorkResult.Done;
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return WorkResult.RetryAt(backoff.Next(item.Attempts, ex.RetryAfter), ex.Summary);
        }
        catch (ConnectorException ex)
        {
            return WorkResult.Fail(ex.Summary);
        }
    }
}
