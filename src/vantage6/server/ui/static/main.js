// The web UI's entry point: registers the pages, follows the session, starts the router.
// The modules: core/ talks to the server and keeps the session, routes and draws the frame;
// access/ works out what the user's rules allow; parts/ are pieces that pages share;
// formats/ are the wire and file formats (task input, encryption, node configuration);
// pages/ has one module per page.

import { drawFooter, drawHeader, show } from "./core/layout.js";
import account from "./pages/account.js";
import collaboration from "./pages/collaboration.js";
import { editCollaboration, newCollaboration } from "./pages/collaboration-form.js";
import collaborations from "./pages/collaborations.js";
import home from "./pages/home.js";
import node from "./pages/node.js";
import { newNode } from "./pages/node-form.js";
import nodes from "./pages/nodes.js";
import notFound from "./pages/notfound.js";
import organization from "./pages/organization.js";
import { editOrganization, newOrganization } from "./pages/organization-form.js";
import organizations from "./pages/organizations.js";
import password from "./pages/password.js";
import {
  forgotPassword,
  lostTwoFactor,
  resetPassword,
  resetTwoFactor,
} from "./pages/recovery.js";
import role from "./pages/role.js";
import { editRole, newRole } from "./pages/role-form.js";
import roles from "./pages/roles.js";
import signIn from "./pages/signin.js";
import task from "./pages/task.js";
import { newTask } from "./pages/task-form.js";
import tasks from "./pages/tasks.js";
import user from "./pages/user.js";
import { editUser, newUser } from "./pages/user-form.js";
import users from "./pages/users.js";
import * as router from "./core/router.js";
import * as session from "./core/session.js";

router.register("/signin", signIn);
router.register("/home", home);
router.register("/forgot-password", forgotPassword);
router.register("/reset-password", resetPassword);
router.register("/lost-two-factor", lostTwoFactor);
router.register("/reset-two-factor", resetTwoFactor);
router.register("/account", account);
router.register("/account/password", password);
router.register("/organizations", organizations);
router.register("/organizations/new", newOrganization);
router.register("/organizations/:id", organization);
router.register("/organizations/:id/edit", editOrganization);
router.register("/collaborations", collaborations);
router.register("/collaborations/new", newCollaboration);
router.register("/collaborations/:id", collaboration);
router.register("/collaborations/:id/edit", editCollaboration);
router.register("/nodes", nodes);
router.register("/nodes/new", newNode);
router.register("/nodes/:id", node);
router.register("/users", users);
router.register("/users/new", newUser);
router.register("/users/:id", user);
router.register("/users/:id/edit", editUser);
router.register("/roles", roles);
router.register("/roles/new", newRole);
router.register("/roles/:id", role);
router.register("/roles/:id/edit", editRole);
router.register("/tasks", tasks);
router.register("/tasks/new", newTask);
router.register("/tasks/:id", task);

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
