package interleave.engine.tests.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.analysis.FrontEnds;
import interleave.engine.c.CFrontEnd;
import interleave.engine.detectors.DetectorChecks;
import interleave.engine.detectors.DetectorRegistry;
import interleave.engine.rules.CheckProvider;
import interleave.engine.rules.CheckProviders;
import interleave.engine.rules.RuleDescriptor;
import interleave.engine.rules.RuleRegistry;

/**
 * The core bundle names neither the C front end nor the detectors: both reach it from their own bundles (services
 * files the core's lookup sees, since the C and trace bundles are its buddies), and a provider can also register.
 */
class CheckProvidersTest {

    /** Not on any services list: only {@link CheckProviders#register} can add it. */
    static final class FirstDetectorAgain implements CheckProvider {
        @Override
        public List<RuleDescriptor> checks() {
            return List.of(DetectorRegistry.descriptors().get(0));
        }
    }

    @Test
    void theCFrontEndAndTheDetectorsAreFoundInTheirOwnBundles() {
        assertTrue(FrontEnds.c() instanceof CFrontEnd, FrontEnds.c().getClass().getName());
        // the tests run in OSGi: another bundle's class loader, which the core reached without naming the class
        assertNotSame(FrontEnds.class.getClassLoader(), FrontEnds.c().getClass().getClassLoader());
        assertTrue(CheckProviders.all().stream().anyMatch(p -> p instanceof DetectorChecks),
                CheckProviders.all().toString());
        assertNotSame(CheckProviders.class.getClassLoader(), DetectorChecks.class.getClassLoader());
        assertEquals(DetectorRegistry.detectors().size(), CheckProviders.checks().size());
    }

    @Test
    void aRegisteredProviderAddsItsChecksOnce() {
        int before = RuleRegistry.checks().size();
        FirstDetectorAgain provider = new FirstDetectorAgain();
        CheckProviders.register(provider);
        try {
            CheckProviders.register(new FirstDetectorAgain()); // once per class
            assertEquals(before + 1, RuleRegistry.checks().size());
        } finally {
            CheckProviders.unregister(provider);
        }
        assertEquals(before, RuleRegistry.checks().size());
    }
}
