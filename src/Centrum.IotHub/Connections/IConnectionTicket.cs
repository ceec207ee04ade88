namespace Centrum.IotHub.Connections;

/// <summary>
/// The admission slot a connection holds from accept to close: the endpoint counts pending and authenticated
/// connections by it. The connection releases it (<see cref="IDisposable.Dispose"/>) before its transport closes.
/// </summary>
internal interface IConnectionTicket : IDisposable
{
    /// <summary>A CONNECT was answered with success: the connect deadline no longer applies.</summary>
    void AcceptedConnect();

    /// <summary>The peer proved an identity: the slot stops counting as pending.</summary>
    void Authenticated();
}
