namespace Centrum.Security;

/// <summary>Encrypts secrets (device keys, token keys) before they reach any store.</summary>
public interface ISecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
