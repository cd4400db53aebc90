// The web UI's entry point: registers the pages, follows the session, starts the router.

import { drawFooter, drawHeader, show } from "./layout.js";
import account from "./pages/account.js";
import home from "./pages/home.js";
import notFound from "./pages/notfound.js";
import organization from "./pages/organization.js";
import { editOrganization, newOrganization } from "./pages/organization-form.js";
import organizations from "./pages/organizations.js";
import signIn from "./pages/signin.js";
import * as router from "./router.js";
import * as session from "./session.js";

router.register("/signin", signIn);
router.register("/home", home);
router.register("/account", account);
router.register("/organizations", organizations);
router.register("/organizations/new", newOrganization);
router.register("/organizations/:id", organization);
router.register("/organizations/:id/edit", editOrganization);

session.onChange((reason) => {
  if (reason === "expired") {
    router.navigate(router.signInReturningTo(location.hash, "expired"), { replace: true });
  } else if (reason === "signed-out") {
    router.navigate(router.SIGN_IN);
  } else {
    drawHeader();
  }
});

drawFooter();
router.start({ signedIn: session.active, show, notFound });
