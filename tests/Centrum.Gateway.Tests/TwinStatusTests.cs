using Centrum.Gateway.Handlers;
using Centrum.Outcomes;

namespace Centrum.Gateway.Tests;

/// <summary>
/// A refused twin update reaches the device as IoT Hub's status and numeric error code: the device SDKs fail the request
/// on the code in the body (IoT Hub docs "Understand and use device twins in IoT Hub").
/// </summary>
public sealed class TwinStatusTests
{
    [Theory]
    [InlineData(ProblemKind.Invalid, 400, 400004)]
    [InlineData(ProblemKind.NotFound, 404, 404001)]
    [InlineData(ProblemKind.PreconditionFailed, 412, 412001)]
    [InlineData(ProblemKind.TooLarge, 413, 413001)]
    [InlineData(ProblemKind.LimitReached, 429, 429001)]
    [InlineData(ProblemKind.Conflict, 400, 400004)]
    public void Each_problem_kind_maps_to_IoT_Hubs_twin_status(ProblemKind kind, int status, int errorCode) =>
        Assert.Equal((status, errorCode), TwinHandler.StatusOf(kind));

    [Fact]
    public void Every_problem_kind_has_an_error_status_with_its_code_in_the_same_hundred()
    {
        foreach (var kind in Enum.GetValues<ProblemKind>())
        {
            var (status, errorCode) = TwinHandler.StatusOf(kind);
            Assert.InRange(status, 400, 499);
            Assert.Equal(status, errorCode / 1000);
        }
    }
}
