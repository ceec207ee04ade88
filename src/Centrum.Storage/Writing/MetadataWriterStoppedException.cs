namespace Centrum.Storage.Writing;

/// <summary>The metadata writer has stopped (the server is shutting down): the write was not committed.</summary>
public sealed class MetadataWriterStoppedException : InvalidOperationException
{
    public MetadataWriterStoppedException()
        : base("The metadata store is stopping; the write was not committed.")
    {
    }

    public MetadataWriterStoppedException(string message)
        : base(message)
    {
    }

    public MetadataWriterStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
