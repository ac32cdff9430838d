using System.Net;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.SocChannel;

/// <summary>Work that brings an incident's SOC thread root up to date (creating the thread first if need be).</summary>
public interface ISocRootWork : IWork
{
    string IncidentKey { get; }
}

/// <summary>Durable work: create the incident's SOC thread (once per incident) and show the current round on its root.</summary>
public sealed record SocThreadWork(string IncidentKey) : ISocRootWork
{
    public static string Kind => "soc.thread";
    public static string Key(string incidentKey) => $"{Kind}:{incidentKey}";
}

/// <summary>Durable work: the root card shows the incident's current round and state (PUT; idempotent).</summary>
public sealed record SocRootUpdateWork(string IncidentKey) : ISocRootWork
{
    public static string Kind => "soc.root-update";
    public static string Key(Guid questionId, QuestionState state) => $"{Kind}:{questionId:D}:{QuestionCards.StateName(state)}";
}

/// <summary><c>soc.thread</c> and <c>soc.root-update</c>: the thread exists and its root shows the current round.</summary>
public sealed class SocRootWorkHandler<TWork>(SocThreads threads, IOptionsMonitor<SocThreadOptions> options, RetryBackoff backoff, TimeProvider time) : IWorkHandler
    where TWork : ISocRootWork
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        if (!options.CurrentValue.Enabled) return WorkResult.Done;
        var incidentKey = item.ReadPayload<TWork>().IncidentKey;
        try
        {
            var thread = await threads.EnsureAsync(incidentKey, ct);
            if (thread is null) return WorkResult.NotSent(time.GetUtcNow() + SocThreads.CreationPoll, "the SOC thread is being created");
            await threads.UpdateRootAsync(thread, ct);
            return WorkResult.Done;
        }
        catch (Exception ex) when (ex is IRemoteFailure { IsTransient: true } remote)
        {
            return WorkResult.Later(backoff.Next(item.Attempts, remote.RetryAfter), ex.Message);
        }
        catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            return WorkResult.Fail($"The SOC channel refused the thread: {ex.Summary}");
        }
    }
}
