using IoTOwnerBot.Chaos;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IoTOwnerBot.Tests.Chaos;

/// <summary>
/// The chaos runner in its short form, on the suite's store (<c>IOTOWNERBOT_TEST_STORE</c>): a small storm with kills,
/// SIGTERMs and a start-up kill while 30 % of every Microsoft call fails (429, 503, slow, dropped, act-then-fail,
/// 409), then the drain. Nothing may be lost or duplicated, and no work may fail. No timing is asserted: the drain
/// timeout is generous, so a slow machine only makes the run longer. README gives the long runs' figures.
/// </summary>
[Collection(ServiceProcesses.Name)]
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    [Fact]
    public Task KillsSigtermsAndAStartupKill_UnderFaults_LoseAndDuplicateNothing() =>
        RunAsync(new ChaosOptions { Incidents = 20, Kills = 2, Sigterms = 2, StartupKills = 1, Faults = 0.3, FaultSeconds = 20, Seed = 12 });

    private async Task RunAsync(ChaosOptions options)
    {
        options = options with
        {
            Store = TestDatabase.Store == StorageProvider.PostgreSql ? ChaosStore.Postgres : ChaosStore.Sqlite,
            Postgres = TestDatabase.ServerConnectionString,
            DrainTimeoutSeconds = 900,
        };
        using var log = new StringWriter();
        var report = await new ChaosRun(options, log).RunAsync();
        ChaosReportWriter.Write(report, options, log);
        output.WriteLine(log.ToString());

        Assert.True(report.Drained, "the service did not become quiet");
        Assert.All(report.Lines, line => Assert.True(line.Clean,
            $"{line.Kind}: lost = {line.Lost}, duplicated = {line.Duplicated}, wrong = {line.Wrong}\n{string.Join("\n", line.Findings.Take(10))}"));
        Assert.Empty(report.FailedWork);
        // A start that was ready before its start-up kill counts as a plain kill, so there may be more kills.
        Assert.True(report.Counts.Kills + report.Counts.StartupKills >= options.Kills + options.StartupKills);
        Assert.Equal(options.Sigterms, report.Counts.Sigterms);
    }
}
