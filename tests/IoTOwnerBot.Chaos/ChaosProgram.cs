namespace IoTOwnerBot.Chaos;

/// <summary>
/// The chaos runner (issue #12, "proof that stays in the repo"):
/// <c>dotnet run --project tests/IoTOwnerBot.Chaos -- --incidents 150 --kills 100 --sigterm 20 --startup-kills 10 --store sqlite --seed 1</c>.
/// Prints lost and duplicated side effects per kind and exits 1 when any, or any failed work item, is found.
/// </summary>
internal static class ChaosProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(ChaosOptions.Usage);
            return 0;
        }
        ChaosOptions options;
        try
        {
            options = ChaosOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(ChaosOptions.Usage);
            return 2;
        }
        var report = await new ChaosRun(options, Console.Out).RunAsync();
        ChaosReportWriter.Write(report, options, Console.Out);
        return report.Clean ? 0 : 1;
    }
}
