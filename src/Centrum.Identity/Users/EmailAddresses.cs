namespace Centrum.Identity.Users;

/// <summary>
/// The shape of an email member's address, checked in one linear pass after a length limit (a backtracking pattern
/// took time quadratic in the input's length). Deliberately simple, like IoT Central's own check: one '@', a local
/// part and a dotted domain, no spaces or control characters; whether the address exists is the provider's business.
/// </summary>
public static class EmailAddresses
{
    /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets including its angle brackets, so an address 254.</summary>
    public const int MaxLength = 254;

    /// <summary>RFC 5321 §4.5.3.1.1.</summary>
    public const int MaxLocalPartLength = 64;

    /// <summary>RFC 1035 §2.3.4.</summary>
    public const int MaxLabelLength = 63;

    public static bool IsValid(string? address)
    {
        if (address is null || address.Length is 0 or > MaxLength)
        {
            return false;
        }

        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at is <= 0 or > MaxLocalPartLength || address.IndexOf('@', at + 1) >= 0)
        {
            return false;
        }

        foreach (var c in address)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        // The domain: at least two labels, none empty or longer than a DNS label.
        var labels = 0;
        var length = 0;
        for (var i = at + 1; i <= address.Length; i++)
        {
            if (i == address.Length || address[i] == '.')
            {
                if (length is 0 or > MaxLabelLength)
                {
                    return false;
                }

                labels++;
                length = 0;
            }
            else
            {
                length++;
            }
        }

        return labels >= 2;
    }
}
