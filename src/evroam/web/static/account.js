(function () { "use strict"; window.evroam.account = { vehicleId: function () { return null; } }; })();
