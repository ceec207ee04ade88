namespace Centrum.Provisioning.Registration;

/// <summary>
/// DPS registration ids: at most 128 characters of letters, digits and <c>- . _ :</c>, ending in a letter, digit or
/// <c>-</c> (DPS docs "Use HTTPS to provision devices with symmetric keys", registration ID). The registration id becomes the device id.
/// </summary>
public static class RegistrationIds
{
    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 128
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':')
        && (char.IsAsciiLetterOrDigit(id[^1]) || id[^1] == '-');
}
