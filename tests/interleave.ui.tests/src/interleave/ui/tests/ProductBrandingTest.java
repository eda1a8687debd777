package interleave.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.core.runtime.FileLocator;
import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IExtension;
import org.eclipse.core.runtime.Platform;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.views.IViewDescriptor;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

import interleave.ui.RuleDocumentationView;

/**
 * The product branding that ./interleave ide runs (tests/ide-restart-test.sh checks it in the real product): the
 * product extension names Interleave, runs the IDE workbench, has an About text and window icons that exist; and the
 * Interleave views have icons of their own.
 */
class ProductBrandingTest {

    @Test
    void theProductIsNamedInterleaveWithAboutTextAndWindowIcons() throws Exception {
        IExtension extension = Platform.getExtensionRegistry().getExtension("org.eclipse.core.runtime.products",
                "interleave.ui.product");
        assertNotNull(extension, "no product interleave.ui.product");
        IConfigurationElement product = extension.getConfigurationElements()[0];
        assertEquals("Interleave", product.getAttribute("name"));
        assertEquals("org.eclipse.ui.ide.workbench", product.getAttribute("application"));
        Map<String, String> properties = new HashMap<>();
        for (IConfigurationElement p : product.getChildren("property")) {
            properties.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        assertEquals("Interleave", properties.get("appName"));
        assertTrue(properties.get("aboutText").startsWith("Interleave\n"), properties.get("aboutText"));
        Bundle ui = Platform.getBundle("interleave.ui");
        String[] images = properties.get("windowImages").split(",");
        int[] sizes = { 16, 32 };
        for (int i = 0; i < images.length; i++) {
            ImageData data = ImageDescriptor.createFromURL(FileLocator.find(ui,
                    new org.eclipse.core.runtime.Path(images[i]))).getImageData(100);
            assertNotNull(data, images[i]);
            assertEquals(sizes[i], data.width, images[i]);
        }
        assertNotNull(FileLocator.find(ui, new org.eclipse.core.runtime.Path(properties.get("aboutImage"))));
        // the IDE's workbench model, as in the platform's own product
        assertEquals("org.eclipse.platform/LegacyIDE.e4xmi", properties.get("applicationXMI"));
    }

    @Test
    void theInterleaveViewsHaveIcons() {
        ImageDescriptor missing = ImageDescriptor.getMissingImageDescriptor();
        for (String id : new String[] { RuleDocumentationView.ID, "interleave.ui.timeline" }) {
            IViewDescriptor view = PlatformUI.getWorkbench().getViewRegistry().find(id);
            assertNotNull(view, id);
            ImageDescriptor icon = view.getImageDescriptor();
            assertNotNull(icon, id);
            assertNotSame(missing, icon, id);
            ImageData data = icon.getImageData(100);
            assertNotNull(data, "the icon of " + id + " does not load");
            assertEquals(16, data.width, id);
        }
    }
}
