using System.Globalization;

namespace IoTOwnerBot.Chaos;

/// <summary>Prints a chaos run's figures and, per kind of side effect, what was lost or duplicated.</summary>
public static class ChaosReportWriter
{
    public static void Write(ChaosReport report, ChaosOptions options, TextWriter output)
    {
        var c = report.Counts;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos run: {report.Incidents} incidents, store {options.Store}, {options.Instances} instance(s), seed {options.Seed}, faults {options.Faults:P0} for {options.FaultSeconds} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kills = {c.Kills}, SIGTERMs = {c.Sigterms}, start-up kills = {c.StartupKills}, starts = {c.Restarts}, clicks accepted = {report.ClicksAccepted}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"time to drain = {(report.TimeToDrain is { } t ? $"{t.TotalSeconds:0.0} s" : "NOT DRAINED")}, peak request rate = {report.PeakRequestsPerSecond:0} req/s, requests = {report.Requests} ({report.FaultedRequests} faulted)"));
        foreach (var line in report.Lines)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {line.Kind,-20} lost = {line.Lost}, duplicated = {line.Duplicated}{(line.Wrong > 0 ? $", wrong = {line.Wrong}" : "")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"failed work items",-20} {report.FailedWork.Count}"));
        foreach (var line in report.Lines.Where(l => !l.Clean))
        foreach (var finding in line.Findings.Take(20))
            output.WriteLine($"  ! {line.Kind}: {finding}");
        foreach (var failed in report.FailedWork.Take(20))
            output.WriteLine($"  ! failed {failed.Kind} (incident {failed.IncidentName}, {failed.Attempts} attempts): {failed.LastError}");
        output.WriteLine(report.Clean ? "RESULT: nothing lost, nothing duplicated" : $"RESULT: FAILED (logs in {report.Logs})");
    }
}
