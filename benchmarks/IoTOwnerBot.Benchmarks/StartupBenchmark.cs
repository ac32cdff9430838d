using System.Diagnostics;
using System.Globalization;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Local;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// Start-up as deployed: the published service (<c>dotnet publish src/IoTOwnerBot -c Release -r linux-x64
/// --self-contained false</c>, ReadyToRun) started as its own process against the emulator, timed from process start
/// to the first healthy <c>/readyz</c> (host built, store migrated, listening, every readiness check passed). Each run
/// starts twice: on a fresh store (every migration applied) and again on that store (nothing to apply).
/// Run: <c>dotnet run -c Release --project benchmarks/IoTOwnerBot.Benchmarks -- startup service=&lt;publish folder&gt; [runs=5]</c>.
/// </summary>
internal static class StartupBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var runs = options.TryGetValue("runs", out var r) ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        if (!options.TryGetValue("service", out var folder) || !File.Exists(Path.Combine(folder, "IoTOwnerBot.dll")))
        {
            Console.Error.WriteLine("startup needs service=<folder holding the published IoTOwnerBot.dll>: " +
                "dotnet publish src/IoTOwnerBot -c Release -r linux-x64 --self-contained false -p:SkipLabBuild=true -o <folder>");
            return 2;
        }

        await using var emulator = await EmulatorServer.StartAsync();
        var service = Path.GetFullPath(Path.Combine(folder, "IoTOwnerBot.dll"));
        Console.WriteLine($"IoTOwnerBot start-up benchmark: {runs} runs, published service ({(IsReadyToRun(service) ? "ReadyToRun" : "JIT only")}), SQLite, {Environment.ProcessorCount} cores");
        var fresh = new List<double>();
        var again = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var database = Path.Combine(Path.GetTempPath(), $"iotownerbot-startup-{Guid.NewGuid():N}.db");
            try
            {
                fresh.Add(await StartOnceAsync(emulator, service, database));
                again.Add(await StartOnceAsync(emulator, service, database));
            }
            finally
            {
                foreach (var file in new[] { database, database + "-wal", database + "-shm", database + ".migrate.lock" })
                    if (File.Exists(file)) File.Delete(file);
            }
        }

        Report("fresh store (every migration applied)", fresh);
        Report("existing store (nothing to apply)", again);
        return 0;
    }

    /// <summary>Milliseconds from process start to the first 200 from <c>/readyz</c>; the process is then stopped.</summary>
    private static async Task<double> StartOnceAsync(EmulatorServer emulator, string service, string database)
    {
        var port = BenchmarkProgram.FreePort();
        var settings = LocalMode.ConfigurationFor(emulator);
        settings["Local:StartEmulator"] = "false";
        settings["Storage:ConnectionString"] = $"Data Source={database}";
        settings["Service:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["Logging:LogLevel:Default"] = "Warning";

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(service);
        foreach (var (key, value) in settings) info.ArgumentList.Add($"--{key}={value}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"The service exited ({process.ExitCode}) before it was ready: {await errors}{await output}");
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
                    throw new TimeoutException("The service was not ready within 60 s.");
                try
                {
                    using var ready = await http.GetAsync("readyz");
                    if (ready.IsSuccessStatusCode) return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(5);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Whether the assembly carries precompiled code (a ReadyToRun image has a managed native header).</summary>
    private static bool IsReadyToRun(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    private static void Report(string what, List<double> millis)
    {
        var sorted = millis.Order().ToList();
        var median = sorted[sorted.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what}: median {median:0} ms, best {sorted[0]:0} ms, worst {sorted[^1]:0} ms (to /readyz healthy)"));
    }
}
