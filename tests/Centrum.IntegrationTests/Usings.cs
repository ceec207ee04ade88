global using Centrum.IntegrationTests.Infrastructure;
global using Centrum.Testing;
global using Xunit;
