using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IoTOwnerBot.Hosting;

/// <summary>Health endpoints, problem details, and OpenTelemetry (exported over OTLP when an endpoint is configured).</summary>
public static class ObservabilityExtensions
{
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<RefusalLogLimiter>();
        builder.Services.AddHealthChecks();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("IoTOwnerBot"))
            .WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter(Jobs.WorkMetrics.MeterName, Outlook.MailMetrics.MeterName, Persistence.StoreMetrics.MeterName));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.UseOtlpExporter();
        return builder;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // GET and HEAD only: anything else is 405.
        var methods = new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).WithMetadata(methods);
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync })
            .WithMetadata(methods);
        return app;
    }

    /// <summary>
    /// The readiness report as JSON: the overall status, and per check its status, description and data (e.g. the
    /// work items that failed for good, per kind). Nothing secret goes into a check's data.
    /// </summary>
    internal static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var checks = new JsonObject();
        foreach (var (name, entry) in report.Entries)
        {
            var check = new JsonObject { ["status"] = entry.Status.ToString() };
            if (entry.Description is { } description) check["description"] = description;
            if (entry.Data.Count > 0) check["data"] = new JsonObject(entry.Data.Select(d => KeyValuePair.Create(d.Key, ToNode(d.Value))));
            checks[name] = check;
        }
        var body = new JsonObject { ["status"] = report.Status.ToString(), ["checks"] = checks };
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        string s => JsonValue.Create(s),
        DateTimeOffset at => JsonValue.Create(at),
        IReadOnlyDictionary<string, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToNode(p.Value)))),
        IDictionary<string, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToNode(p.Value)))),
        _ => JsonValue.Create(value.ToString()),
    };
}
