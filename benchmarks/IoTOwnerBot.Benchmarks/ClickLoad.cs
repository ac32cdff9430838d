using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// Closed-loop load on one endpoint over loopback HTTP: <c>concurrency</c> clients, each sending its next request when
/// the last one is answered, for a fixed time after a warm-up. The load generator runs in this process, so CPU and
/// allocations per request include the client's share; the bare endpoint measured the same way is the floor.
/// </summary>
internal static class ClickLoad
{
    public sealed record Figures(int Requests, double PerSecond, double P50, double P99, double CpuMsPerRequest, long BytesPerRequest)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{PerSecond:0} req/s, p50 {P50:0.00} ms, p99 {P99:0.00} ms, CPU {CpuMsPerRequest:0.000} ms/request, {BytesPerRequest / 1024.0:0.0} KB allocated/request (n={Requests})");
    }

    public static async Task<Figures> RunAsync(HttpClient client, Func<HttpRequestMessage> request, int concurrency, TimeSpan warmUp, TimeSpan duration)
    {
        await LoopAsync(client, request, concurrency, warmUp, null);
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes();
        var started = Stopwatch.GetTimestamp();
        var times = new List<double>[concurrency];
        await LoopAsync(client, request, concurrency, duration, times);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var allocated = GC.GetTotalAllocatedBytes() - bytes;
        var all = times.SelectMany(t => t).Order().ToList();
        return new Figures(all.Count, all.Count / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99),
            cpuUsed.TotalMilliseconds / all.Count, allocated / all.Count);
    }

    /// <summary>A bare endpoint answering every POST with <paramref name="body"/>: the floor the click path is compared with.</summary>
    public static async Task<(WebApplication App, HttpClient Client)> StartBareAsync(string body, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/bare", () => Results.Text(body, "application/json"));
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") });
    }

    private static async Task LoopAsync(HttpClient client, Func<HttpRequestMessage> request, int concurrency, TimeSpan duration, List<double>[]? times)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = new List<double>();
            if (times is not null) times[worker] = mine;
            while (Stopwatch.GetTimestamp() < end)
            {
                using var message = request();
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(message);
                await response.Content.LoadIntoBufferAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"request failed: {(int)response.StatusCode}");
            }
        }));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
