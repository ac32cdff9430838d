using IoTOwnerBot.Outlook;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>Which Graph refusals of sendMail mean "this mailbox has spent its sending quota".</summary>
public sealed class QuotaRefusalTests
{
    [Theory]
    [InlineData(403, "ErrorSubmissionQuotaExceeded", "", true)]
    [InlineData(400, "ErrorMessageSubmissionBlocked", "SubmissionQuotaExceededException: recipient rate limit", true)]
    [InlineData(403, "ErrorAccessDenied", "554 5.1.90 Your message can't be sent because you've reached your daily limit", true)]
    [InlineData(403, "ErrorAccessDenied", "550 5.1.8 Access denied, bad outbound sender", true)]
    [InlineData(403, "ErrorAccessDenied", "550 5.1.8. Access denied", true)]
    [InlineData(403, "ErrorAccessDenied", "550 5.1.80 something else", false)]
    [InlineData(403, "ErrorAccessDenied", "550 15.1.8 something else", false)]
    [InlineData(403, "ErrorAccessDenied", "550 5.1.8.1 something else", false)]
    [InlineData(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.", false)]
    [InlineData(429, "ErrorSubmissionQuotaExceeded", "", false)]
    public void IsQuotaRefusal_MatchesTheQuotaCodesOnly(int status, string code, string message, bool quota)
    {
        var error = new ODataError { ResponseStatusCode = status, Error = new MainError { Code = code, Message = message } };

        Assert.Equal(quota, OutlookSendWorkHandler.IsQuotaRefusal(error));
    }
}
