using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>The service as a real process, killed with SIGKILL while it works, then started again.</summary>
[Collection(ServiceProcesses.Name)]
public sealed class CrashTests : IAsyncLifetime, IDisposable
{
    private EmulatorServer _emulator = null!;
    private EmulatorAdmin _admin = null!;
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"iotownerbot-crash-{Guid.NewGuid():N}.db");

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync();
        _admin = new EmulatorAdmin(_emulator);
    }

    public void Dispose() => _admin.Dispose();

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_database) + "*")) File.Delete(file);
    }

    [Fact]
    public async Task KilledWhileWorking_LosesNothing_AndRepeatsNoSideEffect()
    {
        var incidents = new List<EmulatorAdmin.RaisedIncident>();
        for (var i = 0; i < 8; i++) incidents.Add(await _admin.RaiseAsync(Samples.PlcProgramming));
        // Slow Sentinel down so the kill lands while comments and intakes are in flight.
        await _admin.FaultAsync("/comments/", status: null, times: 1000, delayMs: 150);
        await _admin.FaultAsync("/incidents/", status: null, times: 1000, method: "GET", delayMs: 100);

        var token = _emulator.MintToken(new TokenRequest { Audience = LocalMode.LocalIntakeAudience });
        using (var first = await BotProcess.StartAsync(_emulator, _database))
        {
            foreach (var incident in incidents)
            {
                using var response = await first.PostAsync(incident.TriggerPayload, token);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
            await first.WaitForCommentsAsync(_admin, incidents, atLeast: 1);
            first.Kill();
        }

        await _admin.ClearFaultsAsync();
        using (var second = await BotProcess.StartAsync(_emulator, _database))
        {
            await second.WaitForCommentsAsync(_admin, incidents, atLeast: incidents.Count);
            // Posting again after the restart changes nothing.
            foreach (var incident in incidents)
            {
                using var response = await second.PostAsync(incident.TriggerPayload, token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        foreach (var incident in incidents) CommentAssert.OneIntroAndNoDuplicates(await _admin.CommentsAsync(incident.Name));
        await using var db = new SqliteConnection($"Data Source={_database}");
        await db.OpenAsync();
        await using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM questions";
        Assert.Equal(incidents.Count, Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class BotProcess : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;

        private BotProcess(Process process, Uri baseAddress)
        {
            _process = process;
            _http = new HttpClient { BaseAddress = baseAddress };
        }

        public static async Task<BotProcess> StartAsync(EmulatorServer emulator, string database)
        {
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "IoTOwnerBot.dll")])
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (key, value) in BotHost.DefaultSettings(emulator, database))
                info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            info.Environment["urls"] = $"http://127.0.0.1:{port}";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var bot = new BotProcess(process, new Uri($"http://127.0.0.1:{port}/"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var ready = await bot._http.GetAsync("readyz");
                    if (ready.IsSuccessStatusCode) return bot;
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                if (process.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"The service did not start (exit code {(process.HasExited ? process.ExitCode : -1)}).");
                await Task.Delay(100);
            }
        }

        public Task<HttpResponseMessage> PostAsync(System.Text.Json.Nodes.JsonObject body, string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(body.DeepClone()) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return _http.SendAsync(request);
        }

        public async Task WaitForCommentsAsync(EmulatorAdmin admin, IReadOnlyList<EmulatorAdmin.RaisedIncident> incidents, int atLeast)
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                var withComment = 0;
                foreach (var incident in incidents)
                    if ((await admin.CommentsAsync(incident.Name)).Count > 0) withComment++;
                if (withComment >= atLeast) return;
                if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"only {withComment} incidents got their comment");
                await Task.Delay(100);
            }
        }

        /// <summary>SIGKILL: no shutdown, no flushing, no finally blocks.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
            _http.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
