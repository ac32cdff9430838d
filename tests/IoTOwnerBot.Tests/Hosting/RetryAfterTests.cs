using IoTOwnerBot.Outlook;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.Tests.Hosting;

/// <summary>Graph's Retry-After given as an HTTP date is read against the service's clock, not the machine's.</summary>
public sealed class RetryAfterTests
{
    // Far from the machine's clock, so a wall-clock read cannot give these answers.
    private static readonly DateTimeOffset Now = new(2031, 5, 4, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("120", 120)]
    [InlineData("date+90", 90)]
    [InlineData("date-30", 1)]
    public void Graph_RetryAfter_SecondsOrDate(string header, int seconds)
    {
        var value = header.StartsWith("date", StringComparison.Ordinal)
            ? Now.AddSeconds(int.Parse(header[4..], System.Globalization.CultureInfo.InvariantCulture)).ToString("R", System.Globalization.CultureInfo.InvariantCulture)
            : header;
        var error = new ODataError { ResponseHeaders = new Dictionary<string, IEnumerable<string>> { ["Retry-After"] = [value] } };

        Assert.Equal(TimeSpan.FromSeconds(seconds), OutlookSendWorkHandler.RetryAfter(error, Now));
    }
}
