using Microsoft.Extensions.Options;

namespace Centrum.Server.Hosting;

/// <summary>
/// A setting the server cannot start with: said once on standard error, naming each refused key, and exit code 2,
/// instead of an unhandled exception's stack trace.
/// </summary>
internal static class StartupFailure
{
    public const int InvalidConfigurationExitCode = 2;

    public static int Report(OptionsValidationException exception)
    {
        Console.Error.WriteLine("Centrum cannot start: the configuration is not valid.");
        foreach (var failure in exception.Failures)
        {
            Console.Error.WriteLine($"  {failure}");
        }

        return InvalidConfigurationExitCode;
    }

    /// <summary>The options exception behind the host's start failure, if that is what it is (ValidateOnStart may wrap several).</summary>
    public static OptionsValidationException? Find(Exception exception) => exception switch
    {
        OptionsValidationException options => options,
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            new OptionsValidationException(
                string.Join(", ", aggregate.InnerExceptions.Cast<OptionsValidationException>().Select(e => e.OptionsName)),
                typeof(object),
                aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)),
        _ => null,
    };
}
